import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeFlatMembers, encodeMembers } from '../../src/shared/fast-frames'
import { encodeCommandFrame, encodeCommandFrameMembers } from '../../src/shared/protocol'

// Strings on and around every rule of JSON string escaping: quotes, backslashes, controls, lone
// and paired surrogates, non-ASCII, and both sides of the short/long string threshold (64).
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom(
    '',
    'w1',
    'a"b',
    'a\\b',
    '\n',
    '\u001f',
    '\u007f',
    'é',
    'a\ud800',
    '\udfff',
    '😀',
    '\u2028',
    'x'.repeat(64),
    'x'.repeat(65),
    'x'.repeat(64) + '"',
    'x'.repeat(65) + '\ud800',
  ),
)
const flatValue: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e21, 1e-7, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
)
// Keys include the ones JSON orders first (integer-like) and ones that need escaping.
const key = fc.oneof(text, fc.constantFrom('cmd', 'label', 'saga_id', '0', '10', '2', '__proto__x', 'a"b'))
const flatObject = fc.dictionary(key, flatValue, { maxKeys: 8 })

/** What HostPipe writes between the braces: `{` + this + `}` must be JSON.stringify's output. */
const asObject = (members: string): string => '{' + members.slice(1) + '}'

/** JSON.stringify's result, or the class of error it throws. */
function stringifyOutcome(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch (err) {
    return `throws ${(err as Error).constructor.name}`
  }
}
function membersOutcome(value: unknown): string {
  try {
    const members = encodeMembers(value)
    return members === undefined ? 'not an object' : asObject(members)
  } catch (err) {
    return `throws ${(err as Error).constructor.name}`
  }
}

describe('encodeFlatMembers', () => {
  it('writes exactly the members JSON.stringify writes, for any flat object', () => {
    fc.assert(
      fc.property(flatObject, (obj) => {
        const members = encodeFlatMembers(obj)
        const keys = Object.keys(obj)
        // It declines only an object without keys, or one whose first key is "0".
        if (keys.length === 0 || keys[0] === '0') expect(members).toBeUndefined()
        else {
          expect(members === '' || members!.startsWith(',')).toBe(true)
          expect(asObject(members!)).toBe(JSON.stringify(obj))
        }
        expect(asObject(encodeMembers(obj)!)).toBe(JSON.stringify(obj))
      }),
      { numRuns: 2000 },
    )
  })

  it('writes what JSON.stringify writes, or throws what it throws, for objects with any values', () => {
    const anyValue = fc.oneof(
      fc.anything({
        maxDepth: 2,
        withBoxedValues: true,
        withDate: true,
        withNullPrototype: true,
        withSparseArray: true,
      }),
      fc.bigInt(),
      fc.constant({ toJSON: (key: string) => `key ${key}` }),
      fc.constant({ toJSON: () => undefined }),
    )
    fc.assert(
      fc.property(fc.dictionary(key, anyValue, { maxKeys: 6 }), (obj) => {
        expect(membersOutcome(obj)).toBe(stringifyOutcome(obj))
      }),
      { numRuns: 1000 },
    )
  })

  it('gives the frame JSON.stringify plus the envelope gives, for any flat command', () => {
    fc.assert(
      fc.property(fc.nat(), flatObject, (seq, obj) => {
        expect(encodeCommandFrameMembers(seq, encodeMembers(obj)!)).toBe(
          encodeCommandFrame(seq, JSON.stringify(obj)),
        )
      }),
    )
  })

  it('keeps insertion order, with integer-like keys first as JSON does', () => {
    expect(encodeFlatMembers({ b: 1, 10: 'x', a: 2, 2: 'y' })).toBe(',"2":"y","10":"x","b":1,"a":2')
  })

  it('leaves out what JSON.stringify leaves out: undefined, functions, symbols, symbol keys, non-enumerable and inherited properties', () => {
    const obj: Record<string | symbol, unknown> = { a: undefined, b: () => 1, c: Symbol('c'), d: 1 }
    obj[Symbol('k')] = 2
    Object.defineProperty(obj, 'hidden', { value: 3, enumerable: false })
    expect(encodeFlatMembers(obj)).toBe(',"d":1')
    const nullProto = Object.assign(Object.create(null) as object, { cmd: 'x' })
    expect(encodeFlatMembers(nullProto)).toBe(',"cmd":"x"')
    // An enumerable property on Object.prototype (pollution) is walked by for…in, not by JSON.
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    })
    try {
      expect(encodeFlatMembers({ cmd: 'x' })).toBe(',"cmd":"x"')
      expect(JSON.stringify({ cmd: 'x' })).toBe('{"cmd":"x"}')
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted
    }
  })

  it('declines what is not a plain object, so JSON.stringify decides', () => {
    class Command {
      cmd = 'x'
    }
    expect(encodeFlatMembers({ cmd: 'x', toJSON: () => 'y' })).toBeUndefined()
    expect(encodeFlatMembers(new Command())).toBeUndefined()
    expect(encodeFlatMembers([1, 2])).toBeUndefined()
    expect(encodeFlatMembers(new Date(0))).toBeUndefined()
    expect(encodeFlatMembers({})).toBeUndefined()
    expect(encodeFlatMembers({ 0: 'a', cmd: 'x' })).toBeUndefined()
    expect(encodeFlatMembers({ a: undefined })).toBe('')
  })

  it('encodes long keys and many keys the same way once its cache of key prefixes is full', () => {
    for (let i = 0; i < 300; i++) {
      const obj = { ['k' + i]: i, ['x'.repeat(70) + i]: 'v' }
      expect('{' + encodeFlatMembers(obj)!.slice(1) + '}').toBe(JSON.stringify(obj))
    }
  })

  it('writes a number a key had before, or one that equals it, as JSON.stringify does', () => {
    const values = [
      1796645383608,
      1796645383608,
      -0,
      0,
      -0,
      NaN,
      NaN,
      Infinity,
      -Infinity,
      1e21,
      1e21,
      0.1,
      5,
    ]
    for (const deadline of values) {
      const obj = { cmd: 'add', deadline, a: deadline }
      expect('{' + encodeFlatMembers(obj)!.slice(1) + '}').toBe(JSON.stringify(obj))
    }
  })

  it('leaves exotic objects with a reset prototype to JSON.stringify, which knows them', () => {
    const exotic: unknown[] = [
      Object.setPrototypeOf(['reap_panes', 3], Object.prototype),
      Object.setPrototypeOf([], null),
      // eslint-disable-next-line no-sparse-arrays -- a hole is the point: its first key is "1"
      Object.setPrototypeOf([, 1], Object.prototype),
      new Proxy([1, 2], { getPrototypeOf: () => Object.prototype }),
      Object.setPrototypeOf(new Number(5), Object.prototype),
      Object.setPrototypeOf(new Boolean(false), null),
      Object.setPrototypeOf(new String('ab'), Object.prototype),
      Object.setPrototypeOf(new String(''), null),
      Object.setPrototypeOf(Object(1n), null),
    ]
    for (const value of exotic) {
      expect(encodeFlatMembers(value as object)).toBeUndefined()
      const json = stringifyOutcome(value)
      expect(membersOutcome(value)).toBe(
        json.startsWith('{') || json.startsWith('throws') ? json : 'not an object',
      )
    }
  })

  it('reads each property once, also when a member is nested, and calls a nested toJSON with its key', () => {
    let reads = 0
    const obj = {
      get seq() {
        reads++
        return reads
      },
      nested: { a: 1 },
      when: { toJSON: (key: string) => `toJSON(${key})` },
      gone: { toJSON: () => undefined },
    }
    expect(asObject(encodeFlatMembers(obj)!)).toBe('{"seq":1,"nested":{"a":1},"when":"toJSON(when)"}')
    expect(reads).toBe(1)
  })

  it('throws what JSON.stringify throws for a bigint or a cycle', () => {
    const cyclic: Record<string, unknown> = { cmd: 'x' }
    cyclic.args = { up: cyclic }
    expect(() => encodeFlatMembers({ cmd: 'x', n: 1n })).toThrow(TypeError)
    expect(() => encodeFlatMembers(cyclic)).toThrow(TypeError)
  })

  it('calls each getter once, as JSON.stringify does', () => {
    let reads = 0
    const obj = {
      get n() {
        reads++
        return 5
      },
    }
    expect(encodeFlatMembers(obj)).toBe(',"n":5')
    expect(reads).toBe(1)
  })
})
