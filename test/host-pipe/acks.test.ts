import { describe, expect, it } from 'vitest'
import { REASON_BEFORE_ACK } from '../../src/main/host-pipe'
import { MemoryWriter, settle } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

async function ackingPipe(opts: Parameters<typeof makePipe>[0] = {}) {
  const h = makePipe(opts)
  const w = new MemoryWriter()
  await h.pipe.setWriter(w, { acks: true })
  return { ...h, w }
}

describe('acks and at-most-once delivery (behaviours 8, 10, 11)', () => {
  it('keeps written commands in flight until the host acks them', async () => {
    const { pipe } = await ackingPipe()
    for (let id = 1; id <= 3; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    expect(pipe.snapshot().inFlight).toBe(3)
    pipe.ack(3)
    expect(pipe.snapshot()).toMatchObject({ inFlight: 0, counters: { acked: 3, sent: 3 } })
  })

  it('treats an ack as cumulative: it covers every command written before it', async () => {
    const { pipe, sagaFailures } = await ackingPipe()
    for (let id = 1; id <= 5; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    pipe.ack(2)
    expect(pipe.snapshot().inFlight).toBe(3)
    pipe.clearWriter()
    expect(sagaFailures()).toEqual([3, 4, 5].map((saga_id) => ({ saga_id, reason: REASON_BEFORE_ACK })))
  })

  it('fails unacked sagas synchronously on clearWriter and never writes them again', async () => {
    const { pipe, sagaFailures } = await ackingPipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await pipe.sendCommand({ cmd: 'probe_ui_thread', nonce: 1 })
    pipe.clearWriter()
    expect(sagaFailures()).toEqual([{ saga_id: 1, reason: REASON_BEFORE_ACK }])
    expect(pipe.snapshot()).toMatchObject({ pending: 0, inFlight: 0, counters: { failedBeforeAck: 2 } })
    const w2 = new MemoryWriter()
    await pipe.setWriter(w2, { acks: true })
    expect(w2.lines).toEqual([])
  })

  it('counts a command as in flight from the moment its write starts', async () => {
    const { pipe, w, sagaFailures } = await ackingPipe()
    w.hold()
    const send = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    // the ack beats the write callback, as it can on a real socket
    pipe.ack(1)
    expect(pipe.snapshot().counters.acked).toBe(1)
    w.releaseAll()
    await send
    pipe.clearWriter()
    expect(sagaFailures()).toEqual([])
  })

  it('never re-sends a command the host acked even if its write then reports failure', async () => {
    const { pipe, w, sagaFailures } = await ackingPipe()
    w.hold()
    const send = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    pipe.ack(1)
    w.failOne()
    await expect(send).rejects.toMatchObject({ code: 'WRITE_FAILED' })
    expect(pipe.snapshot()).toMatchObject({ pending: 0, connected: false })
    expect(sagaFailures()).toEqual([])
  })

  it('fails a command whose write was still running when its host went away, and does not re-send it', async () => {
    const { pipe, w, sagaFailures } = await ackingPipe()
    w.hold()
    const send = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    pipe.clearWriter()
    expect(sagaFailures()).toEqual([{ saga_id: 1, reason: REASON_BEFORE_ACK }])
    w.failOne()
    await expect(send).rejects.toMatchObject({ code: 'WRITE_FAILED' })
    expect(pipe.snapshot().pending).toBe(0)
  })

  it('buffers a command whose write failed while it was still tracked, since it was never delivered', async () => {
    const { pipe, w, sagaFailures } = await ackingPipe()
    w.failNext = 1
    await expect(pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })).rejects.toMatchObject({
      code: 'WRITE_FAILED',
    })
    expect(sagaFailures()).toEqual([])
    expect(pipe.snapshot()).toMatchObject({ pending: 1, inFlight: 0 })
  })

  it('ignores and counts an ack for a seq never sent, already acked, or with acks off', async () => {
    const { pipe } = await ackingPipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    expect(() => pipe.ack(99)).not.toThrow()
    pipe.ack(1)
    pipe.ack(1)
    expect(pipe.snapshot().counters).toMatchObject({ acked: 1, ignoredAcks: 2 })
    const plain = makePipe()
    await plain.pipe.setWriter(new MemoryWriter())
    await plain.pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    plain.pipe.ack(1)
    expect(plain.pipe.snapshot().counters).toMatchObject({ acked: 0, ignoredAcks: 1 })
  })

  it('counts a successful write as delivered when the host does not ack', async () => {
    const { pipe, sagaFailures } = makePipe()
    await pipe.setWriter(new MemoryWriter())
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    expect(pipe.snapshot().inFlight).toBe(0)
    pipe.clearWriter()
    expect(sagaFailures()).toEqual([])
  })

  it('holds commands beyond maxInFlight in the buffer and drains them as acks free room', async () => {
    const { pipe, w } = await ackingPipe({ maxInFlight: 2 })
    for (let id = 1; id <= 5; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    expect(w.lines).toHaveLength(2)
    expect(pipe.snapshot()).toMatchObject({ inFlight: 2, pending: 3, expiresAt: null })
    pipe.ack(1)
    await settle()
    expect(w.parsed().map((f) => f.saga_id)).toEqual([1, 2, 3])
    pipe.ack(3)
    await settle()
    expect(w.parsed().map((f) => f.saga_id)).toEqual([1, 2, 3, 4, 5])
    expect(pipe.snapshot()).toMatchObject({ inFlight: 2, pending: 0 })
  })

  it('applies the overflow rule to commands waiting for in-flight room', async () => {
    const { pipe, sagaFailures } = await ackingPipe({ maxInFlight: 1, capacity: 2 })
    for (let id = 1; id <= 5; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    expect(pipe.snapshot()).toMatchObject({ inFlight: 1, pending: 2 })
    expect(sagaFailures().map((f) => f.saga_id)).toEqual([2, 3])
  })

  it('fails the in-flight sagas of a host replaced by a new one', async () => {
    const { pipe, sagaFailures } = await ackingPipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await pipe.setWriter(new MemoryWriter(), { acks: true })
    expect(sagaFailures()).toEqual([{ saga_id: 1, reason: REASON_BEFORE_ACK }])
    pipe.ack(1)
    expect(pipe.snapshot().counters.ignoredAcks).toBe(1)
  })

  it('refuses a fail-fast send with BUFFER_OVERFLOW while maxInFlight commands are unacked, and sends nothing', async () => {
    const { pipe, w } = await ackingPipe({ maxInFlight: 2 })
    await pipe.trySendCommandNoBuffer({ cmd: 'probe_ui_thread', nonce: 1 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await expect(pipe.trySendCommandNoBuffer({ cmd: 'probe_ui_thread', nonce: 2 })).rejects.toMatchObject({
      code: 'BUFFER_OVERFLOW',
    })
    expect(pipe.snapshot()).toMatchObject({ inFlight: 2, pending: 0, connected: true })
    expect(w.parsed().map((f) => f.cmd)).toEqual(['probe_ui_thread', 'spawn_pool_window'])
    pipe.ack(1)
    await pipe.trySendCommandNoBuffer({ cmd: 'probe_ui_thread', nonce: 3 })
    expect(w.parsed().map((f) => f.nonce ?? null)).toEqual([1, null, 3])
  })
})
