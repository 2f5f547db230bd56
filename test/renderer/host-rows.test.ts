import { describe, expect, it } from 'vitest'
import { hostRowsOf } from '../../src/renderer/host-rows'
import { snapshotFixture } from './snapshot-fixture'

describe('the host table’s rows', () => {
  it('shows each slot’s pid, state, in-flight count and restarts as bare values', () => {
    expect(hostRowsOf(snapshotFixture().hosts)).toEqual([
      { slot: 0, pid: '100', state: 'connected', inFlight: '0', restarts: '0' },
    ])
  })

  it('has one row per slot of a pool, in slot order, busy and hostless slots included', () => {
    const rows = hostRowsOf([
      { slot: 2, pid: null, state: 'disconnected', inFlight: 0, restarts: 3 },
      { slot: 0, pid: 10, state: 'connected', inFlight: 5, restarts: 0 },
      { slot: 1, pid: 11, state: 'busy', inFlight: 1, restarts: 1 },
    ])
    expect(rows.map((r) => r.slot)).toEqual([0, 1, 2])
    expect(rows[1]).toEqual({ slot: 1, pid: '11', state: 'busy', inFlight: '1', restarts: '1' })
    expect(rows[2]).toEqual({ slot: 2, pid: '', state: 'disconnected', inFlight: '0', restarts: '3' })
  })

  it('shows no rows for a feed without hosts', () => {
    expect(hostRowsOf(undefined)).toEqual([])
    expect(hostRowsOf('hosts')).toEqual([])
    expect(hostRowsOf([])).toEqual([])
  })

  it('skips entries without a usable slot, and a slot seen twice keeps its first entry', () => {
    const rows = hostRowsOf([
      null,
      'slot 0',
      { pid: 1 },
      { slot: -1, pid: 2 },
      { slot: 1.5, pid: 3 },
      { slot: '0', pid: 4 },
      { slot: 0, pid: 5, state: 'connected', inFlight: 0, restarts: 0 },
      { slot: 0, pid: 6, state: 'connected', inFlight: 0, restarts: 0 },
    ])
    expect(rows).toEqual([{ slot: 0, pid: '5', state: 'connected', inFlight: '0', restarts: '0' }])
  })

  it('leaves a value empty rather than showing one the feed got wrong', () => {
    const [row] = hostRowsOf([{ slot: 0, pid: '12', state: 7, inFlight: 'many', restarts: null }])
    expect(row).toEqual({ slot: 0, pid: '', state: '', inFlight: '', restarts: '' })
    expect(hostRowsOf([{ slot: 0, state: 'x'.repeat(33) }])[0]?.state).toBe('')
  })
})
