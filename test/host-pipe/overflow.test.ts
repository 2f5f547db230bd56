import { describe, expect, it } from 'vitest'
import { REASON_OVERFLOW } from '../../src/main/host-pipe'
import { MemoryWriter } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

describe('overflow (behaviour 3)', () => {
  it('drops the oldest frame and fails its saga when the buffer is full', async () => {
    const { pipe, sagaFailures, events } = makePipe({ capacity: 3 })
    for (let id = 1; id <= 4; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    expect(pipe.snapshot().pending).toBe(3)
    expect(sagaFailures()).toEqual([{ saga_id: 1, reason: REASON_OVERFLOW }])
    expect(events[0]).toEqual({ event: 'saga_failed', saga_id: 1, reason: REASON_OVERFLOW, version: 1 })
    expect(pipe.snapshot().counters.droppedOverflow).toBe(1)
    expect(pipe.snapshot().counters.sagaFailed).toBe(1)
  })

  it('always keeps the newest frame', async () => {
    const { pipe } = makePipe({ capacity: 2 })
    for (let id = 1; id <= 10; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    expect(w.parsed().map((f) => f.saga_id)).toEqual([9, 10])
  })

  it('counts drops of commands without a saga id but emits nothing for them', async () => {
    const logged: string[] = []
    const log = { debug() {}, info() {}, error() {}, warn: (m: unknown) => logged.push(String(m)) }
    const { pipe, events } = makePipe({ capacity: 1, log })
    await pipe.sendCommand({ cmd: 'probe_ui_thread', nonce: 1 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 0 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window' })
    expect(events).toEqual([])
    expect(pipe.snapshot().counters.droppedOverflow).toBe(2)
    expect(logged.some((m) => m.includes('no saga to fail'))).toBe(true)
  })

  it('treats saga_id 0 as no saga', async () => {
    const { pipe, events } = makePipe({ capacity: 1 })
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'p1', saga_id: 0 })
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'p2', saga_id: 0 })
    expect(events).toEqual([])
  })

  it('fails a saga once even when several of its frames are dropped', async () => {
    const { pipe, sagaFailures } = makePipe({ capacity: 2 })
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'a', saga_id: 5 })
    await pipe.sendCommand({ cmd: 'drain_pool_if_last', label: 'a', saga_id: 5 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 6 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 7 })
    expect(sagaFailures()).toEqual([{ saga_id: 5, reason: REASON_OVERFLOW }])
    // the failed saga's other frame went with it rather than running as an orphan
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    expect(w.parsed().map((f) => f.saga_id)).toEqual([6, 7])
  })

  it('never lets pending exceed capacity', async () => {
    const { pipe } = makePipe()
    const seen: number[] = []
    pipe.on('change', (s) => seen.push(s.pending))
    for (let i = 0; i < 500; i++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: i + 1 })
    expect(Math.max(...seen)).toBe(64)
  })
})
