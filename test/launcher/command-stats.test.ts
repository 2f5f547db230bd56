import { describe, expect, it } from 'vitest'
import { CommandCalls, LATENCY_WINDOW_MS, type CallRecord } from '../../src/main/launcher/command-stats'
import { OTHER_COMMANDS } from '../../src/shared/diagnostics'

/** A table on a clock that moves only when told to. */
function makeTable(maxNames?: number) {
  let now = 5_000_000
  const table = new CommandCalls(() => now, maxNames)
  /** Starts a call of `name`; returns its record. */
  const start = (name: string): CallRecord => {
    const call = { name, startedAt: now }
    table.started(call)
    return call
  }
  /** One call of `name` that takes `ms` and ends as told. */
  const call = (name: string, ms: number, isFailure = false): void => {
    const record = start(name)
    now += ms
    table.ended(record, isFailure)
  }
  return {
    table,
    start,
    call,
    advance: (ms: number) => (now += ms),
    row: (name: string) => table.rows().find((r) => r.name === name),
  }
}

describe('CommandCalls', () => {
  it("measures a call to the end its record gives, and to the table's clock when it gives none", () => {
    const t = makeTable()
    const timed = { ...t.start('add'), endedAt: 0 }
    timed.endedAt = timed.startedAt + 3
    t.advance(40)
    t.table.ended(timed, false)
    // The bins' edges: 3 ms reads as the bin 2.91–3.36 ms, capped by the largest latency seen (3).
    expect(t.row('add')?.p99Ms).toBe(3)
    const untimed = t.start('sub')
    t.advance(40)
    t.table.ended(untimed, false)
    expect(t.row('sub')?.p99Ms).toBe(40)
  })

  it('has one row per command name, in order of first call', () => {
    const t = makeTable()
    t.call('add', 1)
    t.call('sub', 1)
    t.call('add', 1)
    expect(t.table.rows().map((r) => [r.name, r.calls])).toEqual([
      ['add', 2],
      ['sub', 1],
    ])
  })

  it('counts calls still running until they end', () => {
    const t = makeTable()
    const a = t.start('add')
    t.start('add')
    expect(t.row('add')).toMatchObject({ calls: 2, running: 2, failed: 0, p50Ms: null, p99Ms: null })
    t.table.ended(a, false)
    expect(t.row('add')).toMatchObject({ calls: 2, running: 1, failed: 0 })
  })

  it('counts failed calls', () => {
    const t = makeTable()
    t.table.ended(t.start('add'), true)
    expect(t.row('add')).toMatchObject({ calls: 1, running: 0, failed: 1 })
  })

  it('ignores the end of a call of a name it never saw start', () => {
    const t = makeTable()
    t.table.ended({ name: 'never', startedAt: 0 }, true)
    expect(t.table.rows()).toEqual([])
  })

  it('reports p50 and p99 over completed and failed calls, within one log bin (19 %)', () => {
    const t = makeTable()
    for (let i = 0; i < 98; i++) t.call('add', 10)
    t.call('add', 500, true)
    t.call('add', 500)
    const row = t.row('add')!
    expect(row.p50Ms).toBeGreaterThanOrEqual(10)
    expect(row.p50Ms).toBeLessThanOrEqual(10 * 1.19)
    expect(row.p99Ms).toBeGreaterThanOrEqual(500 / 1.19)
    expect(row.p99Ms).toBeLessThanOrEqual(500)
  })

  it('reads a latency exactly when every call took the same time', () => {
    const t = makeTable()
    for (let i = 0; i < 10; i++) t.call('add', 37)
    expect(t.row('add')).toMatchObject({ p50Ms: 37, p99Ms: 37 })
  })

  it('ages samples out after a minute, and reads null once none is left', () => {
    const t = makeTable()
    for (let i = 0; i < 100; i++) t.call('add', 800)
    t.advance(30_000)
    for (let i = 0; i < 100; i++) t.call('add', 2)
    expect(t.row('add')!.p99Ms).toBeGreaterThan(600)
    t.advance(LATENCY_WINDOW_MS - 30_000 + 1_000)
    expect(t.row('add')).toMatchObject({ p50Ms: 2, p99Ms: 2, calls: 200 })
    t.advance(LATENCY_WINDOW_MS)
    expect(t.row('add')).toMatchObject({ p50Ms: null, p99Ms: null, calls: 200, running: 0 })
  })

  it('keeps latencies of a slot reused a minute later apart from the old ones', () => {
    const t = makeTable()
    t.call('add', 900)
    t.advance(LATENCY_WINDOW_MS - 900)
    t.call('add', 5)
    expect(t.row('add')).toMatchObject({ p50Ms: 5, p99Ms: 5 })
  })

  it('counts names past the cap under one (other) row, last', () => {
    const t = makeTable(2)
    t.call('a', 1)
    t.call('b', 1)
    t.call('c', 1)
    t.call('d', 3, true)
    t.call('a', 1)
    expect(t.table.rows().map((r) => [r.name, r.calls, r.failed])).toEqual([
      ['a', 2, 0],
      ['b', 1, 0],
      [OTHER_COMMANDS, 2, 1],
    ])
    t.table.ended(t.start('e'), true)
    expect(t.table.rows().at(-1)).toMatchObject({ name: OTHER_COMMANDS, calls: 3, failed: 2 })
  })

  it('refuses a name cap that is not a positive integer', () => {
    expect(() => new CommandCalls(() => 0, 0)).toThrow(/maxNames must be a positive integer, got 0/)
  })
})
