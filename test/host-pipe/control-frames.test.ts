import { describe, expect, it } from 'vitest'
import { HostPipeError } from '../../src/main/host-pipe'
import { MemoryWriter, settle } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

describe('sendControl (ARCHITECTURE §8: probes and cancel_saga outside the command sequence)', () => {
  it('writes the command envelope without seq, and leaves seqs and every counter as they were', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    await pipe.setWriter(w, { acks: true })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const before = pipe.snapshot()
    await pipe.sendControl({ cmd: 'probe_ui_thread', nonce: 9 })
    await pipe.sendControl({ cmd: 'cancel_saga', saga_id: 1 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    expect(w.lines).toEqual([
      '{"kind":"command","seq":1,"cmd":"spawn_pool_window","saga_id":1}',
      '{"kind":"command","cmd":"probe_ui_thread","nonce":9}',
      '{"kind":"command","cmd":"cancel_saga","saga_id":1}',
      '{"kind":"command","seq":2,"cmd":"spawn_pool_window","saga_id":2}',
    ])
    const after = pipe.snapshot()
    expect(after.counters).toEqual({ ...before.counters, sent: before.counters.sent + 1 })
    expect(after.inFlight).toBe(2)
    expect(after.pending).toBe(0)
  })

  it('is never buffered: rejects HOST_NOT_CONNECTED while disconnected and writes nothing later', async () => {
    const { pipe } = makePipe()
    const sent = pipe.sendControl({ cmd: 'probe_ui_thread', nonce: 1 })
    await expect(sent).rejects.toBeInstanceOf(HostPipeError)
    await expect(sent).rejects.toMatchObject({ code: 'HOST_NOT_CONNECTED' })
    expect(pipe.snapshot()).toMatchObject({ pending: 0, counters: { buffered: 0 } })
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    expect(w.lines).toEqual([])
  })

  it('clears the writer when its write fails, without failing or re-sending any command', async () => {
    const { pipe, sagaFailures } = makePipe()
    const w = new MemoryWriter()
    await pipe.setWriter(w, { acks: true })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    w.failNext = 1
    await expect(pipe.sendControl({ cmd: 'cancel_saga', saga_id: 1 })).rejects.toMatchObject({
      code: 'WRITE_FAILED',
    })
    expect(pipe.snapshot()).toMatchObject({ connected: false, counters: { writeFailures: 1 } })
    // The command in flight fails as it would on any loss of the host.
    expect(sagaFailures()).toEqual([{ saga_id: 1, reason: 'host disconnected before ack' }])
  })

  it('waits behind a write in progress: writes never interleave', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    await pipe.setWriter(w, { acks: true })
    w.hold()
    void pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const probe = pipe.sendControl({ cmd: 'probe_ui_thread', nonce: 3 })
    await settle()
    expect(w.heldCount).toBe(1)
    w.releaseAll()
    await probe
    expect(w.maxConcurrentWrites).toBe(1)
    expect(w.parsed().map((f) => f.cmd)).toEqual(['spawn_pool_window', 'probe_ui_thread'])
  })
})

describe('sagaCommandState (where a saga’s command is, for the saga layer)', () => {
  it('says buffered while the command waits for a host, in-flight once written to an acking host, nothing once acked', async () => {
    const { pipe } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 4 })
    expect(pipe.sagaCommandState(4)).toBe('buffered')
    expect(pipe.sagaCommandState(5)).toBeUndefined()
    await pipe.setWriter(new MemoryWriter(), { acks: true })
    expect(pipe.sagaCommandState(4)).toBe('in-flight')
    pipe.ack(1)
    expect(pipe.sagaCommandState(4)).toBeUndefined()
  })

  it('says buffered for a command queued behind a busy write (it can still be removed unsent)', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    await pipe.setWriter(w, { acks: true })
    w.hold()
    void pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    void pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    await settle()
    expect(pipe.sagaCommandState(1)).toBe('in-flight')
    expect(pipe.sagaCommandState(2)).toBe('buffered')
    expect(pipe.cancelSaga(2)).toBe(1)
    expect(pipe.sagaCommandState(2)).toBeUndefined()
  })

  it('tracks nothing once written to a host without acks (a write counts as delivered)', async () => {
    const { pipe } = makePipe()
    await pipe.setWriter(new MemoryWriter())
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    expect(pipe.sagaCommandState(1)).toBeUndefined()
  })
})
