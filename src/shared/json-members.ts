/**
 * A faster `JSON.stringify` for the plain objects commands are, such as
 * `{ cmd: 'reap_panes', label: 'w1', saga_id: 3 }`.
 *
 * Why: on Node 20 `JSON.stringify` of a small object costs the launcher more than everything else
 * it does per command put together (about 3,000 instructions for a two-key command, measured under
 * cachegrind), and wrapping its output in the command envelope (`slice(1)` and a prefix) costs a
 * thousand more. Encoding the members straight into the envelope costs about half as much
 * (docs/benchmarks.md, "What closed the gap"), and the bytes are the same: a frame HostPipe writes
 * is byte for byte the frame `JSON.stringify` plus the envelope would give (property tests hold
 * the two together).
 *
 * Runtime-free: no Node, no DOM.
 */

/** Longer strings are checked with a regular expression, shorter ones with a loop. */
const SHORT_STRING = 64
/** What JSON.stringify escapes: `"`, `\`, C0 controls, and surrogates (when lone, since ES2019). */
// eslint-disable-next-line no-control-regex -- matching the C0 controls is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/**
 * The members of `value` as `JSON.stringify(value)` would write them between its braces, each
 * preceded by a comma (`,"cmd":"reap_panes","label":"w1"`), so a frame is
 * `prefix + members + '}'` for any prefix that opens an object with a member of its own.
 * `''` when every member is one JSON leaves out. Undefined when `value` is not a plain object
 * with at least one own enumerable key, and the caller should use `JSON.stringify(value)`.
 *
 * Plain object: its prototype is `Object.prototype` or null, it is not an array, it has no
 * callable `toJSON`, and its first own key is not `"0"` (which is how a `String` object looks
 * once its prototype is reset: like an object without keys, which a boxed `Number` or `Boolean`
 * looks like, it is left to `JSON.stringify`, which knows it for what it is). Strings, numbers,
 * booleans and null are encoded here, every other value (a nested object or array, a `Date`, a bigint) by
 * `JSON.stringify({ [key]: value })`, which applies every rule of the nested case: `toJSON` with
 * its key, boxed primitives, the `TypeError` of a bigint or a cycle. Each property of `value` is
 * read once; a getter that throws throws here, as it would in `JSON.stringify`.
 */
export function encodeFlatMembers(value: object, stopAt?: (member: object) => boolean): string | undefined {
  const proto: unknown = Object.getPrototypeOf(value)
  if ((proto !== Object.prototype && proto !== null) || Array.isArray(value)) return undefined
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined
  let members = ''
  let hasKeys = false
  for (const key in value) {
    // for…in also walks enumerable properties inherited from a (polluted) Object.prototype, which
    // JSON.stringify does not write.
    if (!Object.hasOwn(value, key)) continue
    // Integer-like keys come first: "0" first is a String object's shape (or an unusual command).
    if (!hasKeys && key === '0') return undefined
    hasKeys = true
    const v: unknown = (value as Record<string, unknown>)[key]
    let encoded: string
    switch (typeof v) {
      case 'string':
        encoded = quote(v)
        break
      case 'number':
        encoded = Number.isFinite(v) ? '' + v : 'null'
        break
      case 'boolean':
        encoded = v ? 'true' : 'false'
        break
      case 'undefined':
      case 'function':
      case 'symbol':
        continue
      default: {
        if (v === null) {
          encoded = 'null'
          break
        }
        // A member the caller encodes its own way (bytes): it is told, nothing is encoded.
        if (stopAt?.(v as object)) return STOPPED
        // `{"key":…}`, or `{}` when its toJSON gave undefined (the member is then left out).
        const one = JSON.stringify({ [key]: v })
        if (one.length > 2) members = members + ',' + one.slice(1, -1)
        continue
      }
    }
    // Two concatenations a member: every one allocates a string the frame's write has to walk.
    members = members + memberPrefix(key) + encoded
  }
  // No own enumerable key at all is also how a boxed Number or Boolean looks: JSON.stringify
  // decides (having read nothing, it reads nothing twice). Keys whose values it leaves out give ''.
  return hasKeys ? members : undefined
}

/**
 * `JSON.stringify(value)`'s members, each preceded by a comma, by `encodeFlatMembers` where it
 * can and by `JSON.stringify` itself where it cannot; undefined when `value` does not serialise to
 * a JSON object. Throws what `JSON.stringify(value)` throws.
 */
export function encodeMembers(value: unknown, stopAt?: (member: object) => boolean): string | undefined {
  const flat = typeof value === 'object' && value !== null ? encodeFlatMembers(value, stopAt) : undefined
  if (flat !== undefined) return flat
  const json: unknown = JSON.stringify(value)
  if (typeof json !== 'string' || json[0] !== '{') return undefined
  return json.length > 2 ? ',' + json.slice(1, -1) : ''
}

/**
 * What `encodeMembers` returns when `stopAt` accepted a nested member: no members string can be
 * this (they are empty or start with a comma).
 */
export const STOPPED = '\u0000stopped'

/** Keys whose `,"key":` is kept: commands use a handful, so this is a cache, not a registry. */
const MAX_CACHED_KEYS = 256
/** Longer keys are encoded each time (a key this long is not one of a command type's fields). */
const MAX_CACHED_KEY_LENGTH = 64
const prefixes = new Map<string, string>()

/** `,"key":`, from a bounded cache. */
function memberPrefix(key: string): string {
  let prefix = prefixes.get(key)
  if (prefix !== undefined) return prefix
  prefix = ',' + quote(key) + ':'
  if (prefixes.size < MAX_CACHED_KEYS && key.length <= MAX_CACHED_KEY_LENGTH) prefixes.set(key, prefix)
  return prefix
}

/** `JSON.stringify(s)`, without calling it when nothing needs escaping. */
function quote(s: string): string {
  return isVerbatim(s) ? '"' + s + '"' : JSON.stringify(s)
}

/** True when JSON writes `s` between quotes unchanged. */
function isVerbatim(s: string): boolean {
  if (s.length > SHORT_STRING) return !NEEDS_ESCAPE.test(s)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false
  }
  return true
}
