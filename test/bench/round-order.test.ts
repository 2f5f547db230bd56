import { describe, expect, it } from 'vitest'
import { roundOrder, type ThroughputSide } from '../../bench/throughput'

const ALL: ThroughputSide[] = ['raw', 'pipe', 'bare', 'rawEncoder', 'birpc', 'jsonrpc']

describe('throughput round order', () => {
  it('runs raw and HostPipe back to back in every round, flipping which goes first every rotation', () => {
    for (let i = 0; i < 15; i++) {
      const order = roundOrder(ALL, i)
      const raw = order.indexOf('raw')
      const pipe = order.indexOf('pipe')
      expect(Math.abs(raw - pipe)).toBe(1)
      expect(pipe > raw).toBe(Math.floor(i / 5) % 2 === 0)
    }
  })

  it('runs every side once a round and rotates the rest, so no side always runs first', () => {
    const firsts = new Set<ThroughputSide>()
    for (let i = 0; i < 10; i++) {
      const order = roundOrder(ALL, i)
      expect([...order].sort()).toEqual([...ALL].sort())
      firsts.add(order[0]!)
    }
    expect(firsts).toEqual(new Set(ALL))
  })

  it('keeps only the sides it is given (the saga workload runs raw and HostPipe alone)', () => {
    expect(roundOrder(['raw', 'pipe'], 0)).toEqual(['raw', 'pipe'])
    expect(roundOrder(['raw', 'pipe'], 1)).toEqual(['pipe', 'raw'])
  })
})
