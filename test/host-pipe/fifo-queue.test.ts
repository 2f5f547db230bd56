import { describe, expect, it } from 'vitest'
import { FifoQueue } from '../../src/main/host-pipe/fifo-queue'

describe('FifoQueue', () => {
  it('keeps FIFO order across its internal compaction', () => {
    const q = new FifoQueue<number>()
    for (let i = 0; i < 5000; i++) q.push(i)
    const out: number[] = []
    for (let i = 0; i < 3000; i++) out.push(q.shift()!)
    for (let i = 5000; i < 5100; i++) q.push(i)
    expect(q.removeWhere((n) => n % 2 === 1)).toHaveLength(1050)
    let n: number | undefined
    while ((n = q.shift()) !== undefined) out.push(n)
    const expected = [
      ...Array(3000).keys(),
      ...[...Array(2100).keys()].map((i) => i + 3000).filter((i) => i % 2 === 0),
    ]
    expect(out).toEqual(expected)
    expect(q.takeAll()).toEqual([])
  })
})
