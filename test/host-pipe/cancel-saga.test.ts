import { describe, expect, it } from 'vitest'
import { MemoryWriter, settle } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

describe('cancelSaga (behaviour 9)', () => {
  it('removes the saga’s buffered frames and returns how many', async () => {
    const { pipe } = makePipe()
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'a', saga_id: 7 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 8 })
    await pipe.sendCommand({ cmd: 'drain_pool_if_last', label: 'a', saga_id: 7 })
    expect(pipe.cancelSaga(7)).toBe(2)
    expect(pipe.cancelSaga(7)).toBe(0)
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    expect(w.parsed().map((f) => f.saga_id)).toEqual([8])
    expect(pipe.snapshot().counters.cancelled).toBe(2)
  })

  it('keeps in-flight frames of a cancelled saga tracked but never fails them', async () => {
    const { pipe, sagaFailures } = makePipe()
    await pipe.setWriter(new MemoryWriter(), { acks: true })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    expect(pipe.cancelSaga(1)).toBe(0)
    expect(pipe.snapshot().inFlight).toBe(2)
    pipe.clearWriter()
    expect(sagaFailures()).toEqual([{ saga_id: 2, reason: 'host disconnected before ack' }])
  })

  it('counts the acks of a cancelled saga’s in-flight frames', async () => {
    const { pipe } = makePipe()
    await pipe.setWriter(new MemoryWriter(), { acks: true })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    pipe.cancelSaga(1)
    pipe.ack(1)
    expect(pipe.snapshot().counters.acked).toBe(1)
  })

  it('removes frames queued behind a busy write and resolves their senders', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    w.hold()
    const busy = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const queued = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    expect(pipe.cancelSaga(2)).toBe(1)
    await queued
    w.releaseAll()
    await busy
    await settle()
    expect(w.parsed().map((f) => f.saga_id)).toEqual([1])
  })

  it('never fails a cancelled saga when the budget expires', async () => {
    const { pipe, clock, events } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    pipe.cancelSaga(1)
    clock.advance(60_000)
    expect(events).toEqual([])
  })
})
