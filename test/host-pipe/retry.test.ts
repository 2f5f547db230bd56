import { describe, expect, it } from 'vitest'
import { REASON_BEFORE_ACK, reasonLostWhileExecuting } from '../../src/main/host-pipe'
import { MemoryWriter, settle } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

const frame = (line: string) => JSON.parse(line) as { seq: number; saga_id?: number; cmd: string }

async function ackingPipe(opts: Parameters<typeof makePipe>[0] = {}) {
  const h = makePipe({ wallNow: () => 1_000, ...opts })
  const w = new MemoryWriter()
  await h.pipe.setWriter(w, { acks: true })
  return { ...h, w }
}

describe('retry on host loss (ARCHITECTURE §8)', () => {
  it('re-sends a retryable command lost in flight to the next host, fresh seq, ahead of everything buffered', async () => {
    const { pipe, w, sagaFailures } = await ackingPipe()
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'p', saga_id: 1 }, { retry: true })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    pipe.clearWriter()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 3 }) // buffered while away
    expect(sagaFailures()).toEqual([{ saga_id: 2, reason: REASON_BEFORE_ACK }])
    const w2 = new MemoryWriter()
    await pipe.setWriter(w2, { acks: true })
    await settle()
    const resent = w2.lines.map(frame)
    expect(resent.map((f) => f.saga_id)).toEqual([1, 3])
    expect(resent[0]!.seq).toBeGreaterThan(Math.max(...w.lines.map((l) => frame(l).seq)))
    pipe.ack(resent[1]!.seq)
    expect(pipe.snapshot()).toMatchObject({ inFlight: 0, pending: 0, counters: { failedBeforeAck: 1 } })
  })

  it('also retries when a new host replaces the one holding the command (a promoted standby)', async () => {
    const { pipe, sagaFailures } = await ackingPipe()
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'p', saga_id: 1 }, { retry: true })
    const w2 = new MemoryWriter()
    await pipe.setWriter(w2, { acks: true })
    await settle()
    expect(w2.lines.map(frame).map((f) => f.saga_id)).toEqual([1])
    expect(sagaFailures()).toEqual([])
  })

  it('never drops a retried command to make room: the buffer bound applies to commands not yet sent', async () => {
    const { pipe, sagaFailures } = await ackingPipe()
    for (let id = 1; id <= 200; id++)
      await pipe.sendCommand({ cmd: 'reap_panes', label: 'p', saga_id: id }, { retry: true })
    pipe.clearWriter()
    expect(pipe.snapshot().pending).toBe(200)
    // While away, new commands fill the 64-frame buffer and the oldest of *them* are dropped.
    for (let id = 201; id <= 300; id++) void pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    const failures = sagaFailures()
    expect(failures).toHaveLength(36)
    expect(failures.map((f) => f.saga_id)).toEqual(Array.from({ length: 36 }, (_, i) => 201 + i))
    expect(pipe.snapshot()).toMatchObject({ pending: 264, counters: { droppedOverflow: 36 } })
    const w2 = new MemoryWriter()
    await pipe.setWriter(w2, { acks: true })
    await settle()
    const ids = w2.lines.map(frame).map((f) => f.saga_id)
    expect(ids).toEqual([
      ...Array.from({ length: 200 }, (_, i) => 1 + i),
      ...Array.from({ length: 64 }, (_, i) => 237 + i),
    ])
  })

  it('fails after maxAttempts hosts were lost with it: host lost while executing (N attempts)', async () => {
    const { pipe, sagaFailures } = await ackingPipe({ maxAttempts: 3 })
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'p', saga_id: 7 }, { retry: true })
    for (let lost = 1; lost <= 3; lost++) {
      pipe.clearWriter()
      expect(sagaFailures()).toEqual(lost < 3 ? [] : [{ saga_id: 7, reason: reasonLostWhileExecuting(3) }])
      const w = new MemoryWriter()
      await pipe.setWriter(w, { acks: true })
      await settle()
      expect(w.lines).toHaveLength(lost < 3 ? 1 : 0)
    }
    expect(reasonLostWhileExecuting(2)).toBe('host lost while executing (2 attempts)')
  })

  it('gives two attempts by default', async () => {
    const { pipe, sagaFailures } = await ackingPipe()
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'p', saga_id: 7 }, { retry: true })
    pipe.clearWriter()
    await pipe.setWriter(new MemoryWriter(), { acks: true })
    await settle()
    pipe.clearWriter()
    expect(sagaFailures()).toEqual([{ saga_id: 7, reason: 'host lost while executing (2 attempts)' }])
  })

  it('never retries past the command’s deadline', async () => {
    let now = 1_000
    const { pipe, sagaFailures } = await ackingPipe({ wallNow: () => now })
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'p', saga_id: 1, deadline: 1_500 }, { retry: true })
    now = 1_500
    pipe.clearWriter()
    expect(sagaFailures()).toEqual([{ saga_id: 1, reason: reasonLostWhileExecuting(1) }])
    expect(pipe.snapshot().pending).toBe(0)
  })

  it('never retries a cancelled saga, nor a frame nobody asked to retry (§3 item 8 unchanged)', async () => {
    const { pipe, sagaFailures } = await ackingPipe()
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'p', saga_id: 1 }, { retry: true })
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'p', saga_id: 2 })
    pipe.cancelSaga(1)
    pipe.clearWriter()
    expect(sagaFailures()).toEqual([{ saga_id: 2, reason: REASON_BEFORE_ACK }])
    const w2 = new MemoryWriter()
    await pipe.setWriter(w2, { acks: true })
    await settle()
    expect(w2.lines).toEqual([])
  })
})
