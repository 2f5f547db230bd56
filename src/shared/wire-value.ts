/**
 * What a call's input or output may hold to travel on the wire unchanged (docs/protocol.md):
 * exactly the values `JSON.parse(JSON.stringify(v))` gives back equal to `v`.
 *
 * Travels: plain objects (prototype `Object.prototype` or null), arrays (not subclassed, no
 * holes), `Uint8Array`s (a `Buffer` included: raw bytes in a byte frame, docs/protocol.md#byte-frames;
 * they arrive as a `Uint8Array`), strings (well-formed UTF-16: a lone surrogate is refused by the peer's parser), finite
 * numbers (`-0` arrives as `0`), booleans and null. An object member whose value is `undefined` is
 * left out, as JSON leaves it out; so are symbol-keyed and non-enumerable properties, which JSON
 * never reads. Everything else is refused, with the path of the first such value: a BigInt, a
 * symbol, a function (a `toJSON` method included), `undefined` in an array, NaN and ±Infinity
 * (JSON writes them as null), a cycle, and every object that is not plain (`Date`, `Map`, `Set`,
 * another typed array, an `ArrayBuffer`, a boxed primitive, a class instance): JSON would turn them into a string, `{}`
 * or something else than what was sent.
 *
 * Runtime-free: no Node, no DOM.
 */
import { describeThrown } from './describe-thrown'
import { isWellFormed } from './frame-decoding'

/** Deeper values are refused: JSON.stringify would overflow the stack on the way. */
export const MAX_WIRE_DEPTH = 512

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/**
 * The first value in `value` the wire cannot carry faithfully, as a sentence naming its path
 * from `root` (`"output.total is a BigInt"`, `"input.items[2] is undefined"`), or undefined when
 * all of it travels. A top-level `undefined` travels (a command without a result sends none).
 * Never throws: a getter or a Proxy trap that throws makes the value refused
 * (`"output.x cannot be read: …"`). Each property is read once; plain objects with a handful of
 * members cost well under a microsecond.
 */
export function findUnencodable(value: unknown, root: string = 'value'): string | undefined {
  if (value === undefined) return undefined
  let trail: Array<string | number> = NO_TRAIL
  /** The top-level key being looked at, for a fault found there. */
  let at: string | undefined
  let what: string | undefined
  try {
    if (isPlainObject(value)) {
      // The common case, a call's input or output: a plain object of plain values. Its own
      // members are walked here, and the trail is only made when one of them is at fault or
      // holds more to walk.
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue
        at = key
        if (!isWellFormed(key)) what = 'is a key with a lone surrogate'
        else {
          const item: unknown = (value as Record<string, unknown>)[key]
          if (typeof item === 'object' && item !== null) {
            trail = [key]
            what = checkObject(item, trail, [value])
          } else if (item !== undefined) what = check(item, NO_TRAIL, NO_ANCESTORS)
        }
        if (what !== undefined) break
        trail = NO_TRAIL
      }
    } else {
      trail = []
      what = check(value, trail, [])
    }
  } catch (err) {
    what = `cannot be read: ${describeThrown(err, 'reading it')}`
  }
  if (trail === NO_TRAIL && at !== undefined && what !== undefined) trail = [at]
  return what === undefined ? undefined : `${pathOf(root, trail)} ${what}`
}

/** No trail yet (nothing nested walked): shared, never written; a primitive's check never pushes. */
const NO_TRAIL: Array<string | number> = []
const NO_ANCESTORS: object[] = []

function isPlainObject(v: unknown): v is object {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/**
 * What is wrong with `v` (`"is a BigInt"`), or undefined. On a failure `trail` holds the path to
 * the value at fault (it is only popped on success), so no path string is built for values that travel.
 */
function check(v: unknown, trail: Array<string | number>, ancestors: object[]): string | undefined {
  switch (typeof v) {
    case 'string':
      return isWellFormed(v) ? undefined : 'is a string with a lone surrogate'
    case 'boolean':
      return undefined
    case 'number':
      return Number.isFinite(v) ? undefined : `is ${String(v)}`
    case 'bigint':
      return 'is a BigInt'
    case 'symbol':
      return 'is a symbol'
    case 'function':
      return 'is a function'
    case 'undefined':
      return 'is undefined'
  }
  if (v === null) return undefined
  return checkObject(v as object, trail, ancestors)
}

function checkObject(obj: object, trail: Array<string | number>, ancestors: object[]): string | undefined {
  if (obj instanceof Uint8Array) return undefined
  if (ancestors.includes(obj)) return 'is a cycle (it contains itself)'
  if (ancestors.length >= MAX_WIRE_DEPTH) return `is nested deeper than ${MAX_WIRE_DEPTH} levels`
  const proto: unknown = Object.getPrototypeOf(obj)
  if (Array.isArray(obj)) {
    if (proto !== Array.prototype) return `is ${kindOf(obj)}`
    ancestors.push(obj)
    for (let i = 0; i < obj.length; i++) {
      trail.push(i)
      const item: unknown = obj[i]
      // JSON writes `null` for both, so neither comes back as sent.
      if (item === undefined) return i in obj ? 'is undefined' : 'is an empty slot'
      const what = check(item, trail, ancestors)
      if (what !== undefined) return what
      trail.pop()
    }
    ancestors.pop()
    return undefined
  }
  if (proto !== Object.prototype && proto !== null) return `is ${kindOf(obj)}`
  ancestors.push(obj)
  for (const key in obj) {
    // for…in also walks a polluted Object.prototype, which JSON.stringify never reads.
    if (!Object.hasOwn(obj, key)) continue
    trail.push(key)
    if (!isWellFormed(key)) return 'is a key with a lone surrogate'
    const item: unknown = (obj as Record<string, unknown>)[key]
    if (item !== undefined) {
      const what = check(item, trail, ancestors)
      if (what !== undefined) return what
    }
    trail.pop()
  }
  ancestors.pop()
  return undefined
}

/** `a Date`, `a Map`, `an instance of Foo`, `an object`: never throws. */
function kindOf(obj: object): string {
  let tag: string
  try {
    tag = Object.prototype.toString.call(obj).slice(8, -1)
  } catch {
    return 'an object'
  }
  if (tag !== 'Object') return (/^[AEIO]/.test(tag) ? 'an ' : 'a ') + tag
  try {
    const name: unknown = (obj as { constructor?: { name?: unknown } }).constructor?.name
    if (typeof name === 'string' && name !== '' && name !== 'Object') return `an instance of ${name}`
  } catch {
    // A throwing `constructor` getter: nothing more to say.
  }
  return 'an object that is not plain'
}

/** `output.items[2]["a b"]`. */
function pathOf(root: string, trail: ReadonlyArray<string | number>): string {
  let path = root
  for (const key of trail)
    if (typeof key === 'number') path += `[${key}]`
    else path += IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
  return path
}

/** What `schemaOutputTravels` reads of a zod 4 schema: its definition. */
interface SchemaDef {
  type?: unknown
  shape?: Record<string, unknown>
  catchall?: unknown
  innerType?: unknown
  values?: unknown[]
  entries?: Record<string, unknown>
  checks?: unknown[]
}

const travellingSchemas = new WeakMap<object, boolean>()

/**
 * True when every value `schema` (a zod 4 schema) accepts comes out of its parse travelling as
 * `findUnencodable` requires and holding no bytes, so the value it gives needs neither that walk
 * nor a walk for bytes. Decided once per schema, and conservatively: objects that strip or refuse
 * unknown keys, of numbers (zod 4's refuse NaN and ±Infinity), booleans, null, literals and enums
 * of such values or well-formed strings, optional, nullable or readonly. Anything else is false:
 * strings (one may hold a lone surrogate), defaults, transforms, unions, arrays, a zod 3 schema
 * (no `_zod`), a check that may change the value (an overwrite, a `superRefine` or `check`
 * function, which are handed the value to replace), and a refinement of an object (which could
 * change the object it is given).
 */
export function schemaOutputTravels(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false
  let travels = travellingSchemas.get(schema)
  if (travels === undefined) {
    try {
      travels = defTravels(schema, 0)
    } catch {
      travels = false
    }
    travellingSchemas.set(schema, travels)
  }
  return travels
}

function defTravels(schema: unknown, depth: number): boolean {
  const def = (schema as { _zod?: { def?: SchemaDef } } | null)?._zod?.def
  if (def === undefined || depth > 32) return false
  if (def.checks?.some((c) => mayChangeValue(c, def.type === 'object'))) return false
  switch (def.type) {
    case 'number':
    case 'boolean':
    case 'null':
      return true
    case 'literal':
      return def.values?.every(isTravellingConstant) === true
    case 'enum':
      return def.entries !== undefined && Object.values(def.entries).every(isTravellingConstant)
    case 'optional':
    case 'nullable':
    case 'readonly':
      return defTravels(def.innerType, depth + 1)
    case 'object': {
      const catchall = (def.catchall as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def?.type
      if (def.catchall !== undefined && catchall !== 'never') return false
      const shape = def.shape ?? {}
      return Object.keys(shape).every(
        (key) => key !== '__proto__' && isWellFormed(key) && defTravels(shape[key], depth + 1),
      )
    }
    default:
      return false
  }
}

/** A plain `refine` (def type `custom`) is only handed the value: on a primitive it cannot change it. */
function mayChangeValue(check: unknown, isObject: boolean): boolean {
  const def = (check as { _zod?: { def?: { check?: unknown; type?: unknown } } })._zod?.def
  if (def === undefined) return true
  if (def.check === 'custom') return isObject || def.type !== 'custom'
  return def.check === 'overwrite'
}

function isTravellingConstant(v: unknown): boolean {
  if (typeof v === 'string') return isWellFormed(v)
  return v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
}
