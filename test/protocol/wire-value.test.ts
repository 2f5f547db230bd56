// What a call's input or output may hold to travel unchanged, and the path of the first value
// that cannot (src/shared/wire-value.ts).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { byteBlocksLength } from '../../src/shared/byte-value'
import { findUnencodable, MAX_WIRE_DEPTH, schemaOutputTravels } from '../../src/shared/wire-value'

class Point {
  constructor(readonly x: number) {}
}
const cycle: Record<string, unknown> = { a: 1 }
cycle.again = cycle
const throwingGetter = Object.defineProperty({}, 'bad', {
  enumerable: true,
  get() {
    throw new Error('boom')
  },
})
const revoked = Proxy.revocable({}, {})
revoked.revoke()
let deep: unknown = 1
for (let i = 0; i <= MAX_WIRE_DEPTH; i++) deep = [deep]
const shared = { n: 1 }
/** `[1, <empty>, 3]`. */
function withHole(): unknown[] {
  const a: unknown[] = [1]
  a[2] = 3
  return a
}

describe('findUnencodable', () => {
  it.each<[string, unknown, string | RegExp]>([
    ['a BigInt', { total: 10n }, 'output.total is a BigInt'],
    ['a cycle', { nested: cycle }, 'output.nested.again is a cycle (it contains itself)'],
    ['a function', { f: () => 1 }, 'output.f is a function'],
    ['a symbol', { s: Symbol('x') }, 'output.s is a symbol'],
    ['a toJSON method', { toJSON: () => 'x' }, 'output.toJSON is a function'],
    ['a Date', { at: new Date(0) }, 'output.at is a Date'],
    ['a Map', { m: new Map() }, 'output.m is a Map'],
    ['a Set in an array', { items: [1, new Set()] }, 'output.items[1] is a Set'],
    [
      'a typed array other than Uint8Array',
      { floats: new Float64Array(2) },
      'output.floats is a Float64Array',
    ],
    ['a boxed string', { s: new String('x') }, 'output.s is a String'],
    ['a class instance', { p: new Point(1) }, 'output.p is an instance of Point'],
    ['NaN', { n: NaN }, 'output.n is NaN'],
    ['Infinity', { n: [Infinity] }, 'output.n[0] is Infinity'],
    ['-Infinity', { n: -Infinity }, 'output.n is -Infinity'],
    ['undefined in an array', { a: [1, undefined] }, 'output.a[1] is undefined'],
    ['a hole in an array', { a: withHole() }, 'output.a[1] is an empty slot'],
    ['a lone surrogate', { text: 'a\ud800' }, 'output.text is a string with a lone surrogate'],
    ['a key with a lone surrogate', { ['k\udc00']: 1 }, 'output["k\\udc00"] is a key with a lone surrogate'],
    ['an odd key', { 'a b': { 0: 1n } }, 'output["a b"]["0"] is a BigInt'],
    ['a getter that throws', { g: throwingGetter }, 'output.g.bad cannot be read: boom'],
    ['a revoked Proxy', { p: revoked.proxy }, /^output\.p cannot be read: .*revoked/],
    [
      'nesting deeper than the limit',
      deep,
      `output${'[0]'.repeat(MAX_WIRE_DEPTH)} is nested deeper than ${MAX_WIRE_DEPTH} levels`,
    ],
    ['a top-level BigInt', 1n, 'output is a BigInt'],
  ])('refuses %s, naming its path', (_kind, value, expected) => {
    const got = findUnencodable(value, 'output')
    if (typeof expected === 'string') expect(got).toBe(expected)
    else expect(got).toMatch(expected)
  })

  it.each<[string, unknown]>([
    ['a plain object', { sum: 5, name: 'x', ok: true, none: null }],
    ['nested arrays and objects', { a: [{ b: [1, 'two', false, null] }], c: {} }],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
    ['undefined members (left out, as JSON does)', { a: 1, b: undefined }],
    ['a value shared twice without a cycle', { x: shared, y: [shared] }],
    ['a top-level undefined (a command without a result)', undefined],
    ['-0 (arrives as 0)', { n: -0 }],
    ['primitives at the top', 'text'],
  ])('lets %s travel', (_kind, value) => {
    expect(findUnencodable(value, 'output')).toBeUndefined()
  })

  it('says "value" when no root name is given', () => {
    expect(findUnencodable([1n])).toBe('value[0] is a BigInt')
  })

  it('accepts only values that JSON gives back equal (undefined members left out, -0 as 0)', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withNullPrototype: true,
          withSparseArray: true,
          withBoxedValues: true,
        }),
        (value) => {
          if (findUnencodable(value) !== undefined) return
          if (value === undefined) return
          expect(JSON.parse(JSON.stringify(value))).toEqual(withoutNegativeZero(value))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('accepts every JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(findUnencodable(value)).toBeUndefined()
      }),
    )
  })
})

/** `value` with every -0 as 0 (JSON writes -0 as 0). */
function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0
  if (Array.isArray(value)) return value.map(withoutNegativeZero)
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = withoutNegativeZero(v)
    return out
  }
  return value
}

describe('schemaOutputTravels', () => {
  const travelling = {
    numbers: z.object({ a: z.number(), b: z.int().optional() }),
    'booleans, null, literals and enums': z.object({
      on: z.boolean(),
      none: z.null(),
      kind: z.literal(['a', 1, true]),
      mode: z.enum(['fast', 'slow']),
    }),
    'nested, strict, nullable, readonly': z
      .strictObject({ at: z.object({ x: z.number() }).nullable(), n: z.number().readonly() })
      .readonly(),
    'refined numbers': z.object({
      n: z
        .number()
        .min(0)
        .refine((n) => n % 2 === 0),
    }),
  }
  const notTravelling = {
    strings: z.object({ s: z.string() }),
    'loose objects': z.looseObject({ a: z.number() }),
    'a catchall': z.object({ a: z.number() }).catchall(z.unknown()),
    defaults: z.object({ n: z.number().default(Infinity) }),
    transforms: z.object({ n: z.number().transform((n) => BigInt(n)) }),
    'an overwrite': z.object({ n: z.number().overwrite(() => Infinity) }),
    'a superRefine': z.object({
      n: z.number().superRefine((_, ctx) => {
        ctx.value = Number.NaN
      }),
    }),
    'a check function': z.object({
      n: z.number().check((ctx) => {
        ctx.value = Infinity
      }),
    }),
    'a refined object': z
      .object({ a: z.number() })
      .refine((o) => Object.assign(o, { d: new Date() }) !== null),
    unions: z.object({ u: z.union([z.number(), z.date()]) }),
    arrays: z.object({ xs: z.array(z.number()) }),
    bytes: z.object({ b: z.instanceof(Uint8Array) }),
    'any value': z.object({ v: z.any() }),
    'a lone surrogate literal': z.object({ s: z.literal('\ud800') }),
    'a bigint literal': z.object({ n: z.literal(1n) }),
  }

  it.each(Object.entries(travelling))('holds for %s', (_, schema) => {
    expect(schemaOutputTravels(schema)).toBe(true)
  })

  it.each(Object.entries(notTravelling))('does not hold for %s', (_, schema) => {
    expect(schemaOutputTravels(schema)).toBe(false)
  })

  it('does not hold for what is not a zod 4 schema', () => {
    for (const notSchema of [undefined, null, 3, {}, { _zod: {} }, { _zod: { def: { type: 'mystery' } } }])
      expect(schemaOutputTravels(notSchema)).toBe(false)
  })

  it('is never wrong: whatever a travelling schema accepts travels and holds no bytes', () => {
    const schema = travelling['booleans, null, literals and enums'].extend({
      n: z.number(),
      o: z.number().optional(),
    })
    const value = fc.record(
      {
        on: fc.boolean(),
        none: fc.constant(null),
        kind: fc.constantFrom('a', 1, true),
        mode: fc.constantFrom('fast', 'slow'),
        n: fc.double(),
        o: fc.double(),
        extra: fc.anything(),
      },
      { requiredKeys: ['on', 'none', 'kind', 'mode', 'n'] },
    )
    expect(schemaOutputTravels(schema)).toBe(true)
    fc.assert(
      fc.property(value, (v) => {
        const parsed = schema.safeParse(v)
        if (!parsed.success) return
        expect(findUnencodable(parsed.data, 'input')).toBeUndefined()
        expect(byteBlocksLength(parsed.data)).toBe(-1)
      }),
    )
  })
})
