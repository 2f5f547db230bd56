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

describe('IdMap: ids in any order', () => {
  it('answers as a Map does for any ids set and deleted in any order (a pool host sees every other id, a retry sets an id again)', () => {
    const id = fc.oneof(
      fc.nat(70),
      fc.nat(5000),
      fc.constantFrom(2 ** 32 + 3, 2 ** 40 + 1, Number.MAX_SAFE_INTEGER),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.tuple(fc.boolean(), id), { maxLength: 400 }),
        (log2, ops) => {
          const map = new IdMap<string>(1 << log2)
          const model = new Map<number, string>()
          ops.forEach(([isSet, key], step) => {
            if (isSet) {
              map.set(key, `v${step}`)
              model.set(key, `v${step}`)
            } else expect(map.delete(key)).toBe(model.delete(key))
            expect(map.size).toBe(model.size)
            expect(map.get(key)).toBe(model.get(key))
          })
          for (const [key, value] of model) expect(map.get(key)).toBe(value)
          expect(map.values()).toEqual([...model.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]))
        },
      ),
    )
  })
})

describe('IdMap: memory', () => {
  it('gives its table back once a burst of open ids has closed', () => {
    const map = new IdMap<number>(8)
    for (let id = 0; id < 10_000; id++) map.set(id, id)
    expect(map.capacity).toBeGreaterThanOrEqual(10_000)
    for (let id = 0; id < 9_990; id++) map.delete(id)
    expect(map.capacity).toBeLessThanOrEqual(128)
    expect(map.values()).toEqual([9_990, 9_991, 9_992, 9_993, 9_994, 9_995, 9_996, 9_997, 9_998, 9_999])
    for (let id = 9_990; id < 10_000; id++) map.delete(id)
    expect(map.capacity).toBe(8)
    expect(map.size).toBe(0)
  })

  it('returns to its first capacity when cleared', () => {
    const map = new IdMap<number>(4)
    for (let id = 0; id < 100; id++) map.set(id, id)
    map.clear()
    expect(map.capacity).toBe(4)
    map.set(7, 7)
    expect(map.get(7)).toBe(7)
  })

  it('refuses a capacity that is not a power of two', () => {
    expect(() => new IdMap(0)).toThrow('IdMap capacity must be a power of two, got 0')
    expect(() => new IdMap(1000)).toThrow('IdMap capacity must be a power of two, got 1000')
  })
})
