import { describe, expect, it } from 'vitest'
import { FifoQueue } from '../../src/main/base/fifo-queue'

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

describe('FifoQueue as a ring', () => {
  it('keeps order while its ring wraps around and grows', () => {
    const q = new FifoQueue<number>()
    const out: number[] = []
    let next = 0
    // Uneven pushes and shifts move the head all around the ring and force it to grow mid-wrap.
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < (round % 7) + 3; i++) q.push(next++)
      for (let i = 0; i < (round % 5) + 1; i++) out.push(q.shift()!)
    }
    while (q.length > 0) out.push(q.shift()!)
    expect(out).toEqual([...Array(next).keys()])
  })

  it('peeks at both ends and pops the newest', () => {
    const q = new FifoQueue<string>()
    expect(q.first).toBeUndefined()
    expect(q.last).toBeUndefined()
    expect(q.pop()).toBeUndefined()
    for (const s of ['a', 'b', 'c']) q.push(s)
    expect([q.first, q.last, q.length]).toEqual(['a', 'c', 3])
    expect(q.pop()).toBe('c')
    expect(q.shift()).toBe('a')
    const seen: string[] = []
    q.forEach((s) => seen.push(s))
    expect(seen).toEqual(['b'])
    expect(q.takeAll()).toEqual(['b'])
    expect(q.length).toBe(0)
  })
})
