import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IdMap } from '../../src/main/base/id-map'

type Op =
  | { kind: 'add' }
  | { kind: 'replace'; pick: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'skip'; by: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: 'add' }),
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('skip' as const), by: fc.integer({ min: 1, max: 40 }) }),
)

describe('IdMap', () => {
  it('answers as a Map does for ids handed out in turn, whatever stays open, with values by id', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.array(op, { maxLength: 400 }), (log2, ops) => {
        const map = new IdMap<string>(1 << log2)
        const model = new Map<number, string>()
        let next = 0
        for (const o of ops) {
          const live = [...model.keys()]
          if (o.kind === 'add') {
            map.set(next, `v${next}`)
            model.set(next, `v${next}`)
            next++
          } else if (o.kind === 'skip') next += o.by
          else if (live.length > 0) {
            const id = live[o.pick % live.length]!
            if (o.kind === 'replace') {
              map.set(id, `w${id}`)
              model.set(id, `w${id}`)
            } else expect(map.delete(id)).toBe(model.delete(id))
          }
          expect(map.size).toBe(model.size)
        }
        for (let id = 0; id < next + 2; id++) {
          expect(map.get(id)).toBe(model.get(id))
          expect(map.has(id)).toBe(model.has(id))
        }
        expect(map.delete(next + 1)).toBe(false)
        expect(map.values()).toEqual([...model.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]))
      }),
    )
  })

  it('keeps an entry left open while later ids pass its slot many times over', () => {
    const map = new IdMap<number>(4)
    map.set(1, 1)
    for (let id = 2; id < 10_000; id++) {
      map.set(id, id)
      map.delete(id)
    }
    expect(map.get(1)).toBe(1)
    expect(map.size).toBe(1)
    expect(map.values()).toEqual([1])
  })

  it('is empty after clear', () => {
    const map = new IdMap<number>(2)
    for (let id = 0; id < 10; id++) map.set(id, id)
    map.clear()
    expect(map.size).toBe(0)
    expect(map.values()).toEqual([])
    expect(map.get(3)).toBeUndefined()
  })
})
