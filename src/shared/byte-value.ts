/**
 * A JSON-able value holding `Uint8Array`s anywhere (a `Buffer` included), split for the wire
 * into a header and its byte blocks, and joined back (docs/protocol.md#byte-frames).
 *
 * The header is the JSON text `{"v":<value>,"b":[<path>,…]}` in which each byte block is `null`
 * and its path (keys and array indices from the value's root) is listed in `b`. No key inside the
 * value is reserved, so app data cannot collide. `ByteFrameError` is what the whole byte frame
 * codec throws (`byte-frame.ts` on a byte stream, `byte-frame-message.ts` on a MessagePort).
 *
 * Runtime-free: no Node, no DOM.
 */

/** One step of a path: an object key, or an array index. */
export type BytePathStep = string | number
export type BytePath = BytePathStep[]

/** Why a value could not be encoded, or bytes could not be decoded. */
export type ByteFrameErrorCode =
  /** The frame's declared size is over the decoder's `maxFrameBytes` (or the encoder's). */
  | 'FRAME_TOO_LARGE'
  /** More blocks than `maxBlocks`. */
  | 'TOO_MANY_BLOCKS'
  /** The stream ended inside a frame. */
  | 'TRUNCATED'
  /** A frame does not start with 0x00. */
  | 'BAD_MARKER'
  /** The header is not UTF-8, not JSON, not `{"v":…,"b":[…]}`, or `b` does not match the block count. */
  | 'BAD_HEADER'
  /** A path in `b` does not lead to a `null` in the value. */
  | 'BAD_PATH'
  /** The value is not JSON-able (a cycle, a BigInt, a throwing getter…). */
  | 'NOT_ENCODABLE'

/** What the codec throws, and nothing else: `code` says what was wrong, the message names it. */
export class ByteFrameError extends Error {
  override readonly name = 'ByteFrameError'
  constructor(
    readonly code: ByteFrameErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** A value split for the wire: its header text and its blocks, in the order `b` lists them. */
export interface SplitValue {
  /** `{"v":<value with each block null>,"b":[<path>,…]}`. */
  header: string
  blocks: Uint8Array[]
}

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)

/**
 * `value` as the JSON text of the header's `v` (each block `null`), the JSON text of `b` (the
 * blocks' paths), and the blocks (views of the caller's bytes, not copies). The value is read as
 * `JSON.stringify` reads it (`toJSON`, skipped `undefined`s); a `Uint8Array` is taken before its
 * `toJSON` (a Buffer's). Throws ByteFrameError `NOT_ENCODABLE` for what JSON cannot hold.
 */
export function splitJson(value: unknown): { json: string; paths: string; blocks: Uint8Array[] } {
  const blocks: Uint8Array[] = []
  const paths: BytePath[] = []
  // The path of each object JSON.stringify descends into, so a block knows where it sits.
  const pathOf = new WeakMap<object, BytePath>()
  let isRoot = true
  function replacer(this: unknown, key: string, v: unknown): unknown {
    let path: BytePath
    if (isRoot) {
      isRoot = false
      path = []
    } else {
      const holder = this as object
      path = [...(pathOf.get(holder) ?? []), Array.isArray(holder) ? Number(key) : key]
    }
    // The holder's own value: `v` is what `toJSON` made of it (a Buffer's is `{type, data}`).
    const raw = (this as Record<string, unknown>)[key]
    if (raw instanceof Uint8Array) {
      blocks.push(raw)
      paths.push(path)
      return null
    }
    if (typeof v === 'object' && v !== null) pathOf.set(v, path)
    return v
  }
  let json: string | undefined
  try {
    json = JSON.stringify(value, replacer)
  } catch (err) {
    throw new ByteFrameError('NOT_ENCODABLE', `value is not JSON-able: ${String(err)}`)
  }
  if (json === undefined) throw new ByteFrameError('NOT_ENCODABLE', `value is not JSON-able: ${typeof value}`)
  return { json, paths: JSON.stringify(paths), blocks }
}

/** Splits `value` into its header and its byte blocks (views, not copies): see `splitJson`. */
export function splitValue(value: unknown): SplitValue {
  const { json, paths, blocks } = splitJson(value)
  return { header: headerOf(json, paths), blocks }
}

/** The header text for a value's JSON (blocks as `null`) and its paths' JSON. */
export function headerOf(json: string, paths: string): string {
  return `{"v":${json},"b":${paths}}`
}

/**
 * True when `value` holds a `Uint8Array` anywhere JSON would reach (own enumerable members,
 * array items). Cheap for the common case: primitives are never walked into, and the walk stops
 * at the first block. Does not call getters twice or `toJSON`; a cycle is walked once.
 */
export function holdsBytes(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (value instanceof Uint8Array) return true
  return holdsBytesIn(value, 0, undefined)
}

function holdsBytesIn(obj: object, depth: number, seen: Set<object> | undefined): boolean {
  // Deep or cyclic values are rare: the set is made only past a few levels.
  if (depth > 8) {
    seen ??= new Set()
    if (seen.has(obj)) return false
    seen.add(obj)
  }
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      const item: unknown = obj[i]
      if (typeof item !== 'object' || item === null) continue
      if (item instanceof Uint8Array || holdsBytesIn(item, depth + 1, seen)) return true
    }
    return false
  }
  if (ArrayBuffer.isView(obj)) return false
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue
    const item: unknown = (obj as Record<string, unknown>)[key]
    if (typeof item !== 'object' || item === null) continue
    if (item instanceof Uint8Array || holdsBytesIn(item, depth + 1, seen)) return true
  }
  return false
}

/**
 * The sum of the `byteLength`s of the `Uint8Array`s in `value` (where `holdsBytes` looks), or −1
 * when it holds none: what a call's bytes weigh while it waits, measured in the same one walk
 * that `holdsBytes` makes. A cycle ends the walk (past a few levels a node is seen once); such a
 * value is not JSON-able and fails when it is encoded.
 */
export function byteBlocksLength(value: unknown): number {
  if (typeof value !== 'object' || value === null) return -1
  if (value instanceof Uint8Array) return value.byteLength
  const tally = { bytes: 0, blocks: 0 }
  sumBlocksIn(value, 0, undefined, tally)
  return tally.blocks === 0 ? -1 : tally.bytes
}

function sumBlocksIn(
  value: unknown,
  depth: number,
  seen: Set<object> | undefined,
  tally: { bytes: number; blocks: number },
): Set<object> | undefined {
  if (typeof value !== 'object' || value === null) return seen
  if (value instanceof Uint8Array) {
    tally.bytes += value.byteLength
    tally.blocks++
    return seen
  }
  if (depth > 8) {
    seen ??= new Set()
    if (seen.has(value)) return seen
    seen.add(value)
  }
  if (ArrayBuffer.isView(value)) return seen
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) seen = sumBlocksIn(value[i], depth + 1, seen, tally)
    return seen
  }
  for (const key in value)
    if (Object.hasOwn(value, key))
      seen = sumBlocksIn((value as Record<string, unknown>)[key], depth + 1, seen, tally)
  return seen
}

/**
 * Puts the blocks back where the header's paths say: the value, with each block (a view of
 * `blocks`' bytes) where its `null` was. Throws ByteFrameError `BAD_HEADER` or `BAD_PATH`.
 */
export function joinValue(header: string, blocks: readonly Uint8Array[]): unknown {
  let parsed: unknown
  try {
    parsed = JSON.parse(header)
  } catch {
    throw new ByteFrameError('BAD_HEADER', 'header is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ByteFrameError('BAD_HEADER', 'header is not an object')
  const h = parsed as Record<string, unknown>
  if (!hasOwn(h, 'v')) throw new ByteFrameError('BAD_HEADER', 'header has no `v`')
  const paths = h.b
  if (!Array.isArray(paths)) throw new ByteFrameError('BAD_HEADER', 'header `b` is not an array')
  if (paths.length !== blocks.length)
    throw new ByteFrameError('BAD_HEADER', `header lists ${paths.length} paths for ${blocks.length} blocks`)
  const holder: Record<string, unknown> = { v: h.v }
  paths.forEach((path: unknown, i) => placeBlock(holder, path, blocks[i]!, i))
  return holder.v
}

/** Sets the null at `path` (under `holder.v`) to `block`. */
function placeBlock(holder: Record<string, unknown>, path: unknown, block: Uint8Array, i: number): void {
  if (!Array.isArray(path)) throw new ByteFrameError('BAD_PATH', `path ${i} is not an array`)
  let parent: object = holder
  let key: string | number = 'v'
  for (let step = 0; step < path.length; step++) {
    const next = (parent as Record<string, unknown>)[key]
    const part: unknown = path[step]
    if (Array.isArray(next)) {
      if (typeof part !== 'number' || !Number.isInteger(part) || part < 0 || part >= next.length)
        throw badPath(i, path, `step ${step} is not an index of the array there`)
    } else if (typeof next === 'object' && next !== null) {
      if (typeof part !== 'string' || !hasOwn(next, part))
        throw badPath(i, path, `step ${step} is not a key of the object there`)
    } else throw badPath(i, path, `step ${step} goes into a ${next === null ? 'null' : typeof next}`)
    parent = next
    key = part
  }
  if ((parent as Record<string, unknown>)[key] !== null) throw badPath(i, path, 'it does not lead to a null')
  // defineProperty, not assignment: a `__proto__` key must stay a plain own property.
  Object.defineProperty(parent, key, { value: block, writable: true, enumerable: true, configurable: true })
}

function badPath(i: number, path: unknown[], why: string): ByteFrameError {
  const shown = JSON.stringify(path)
  return new ByteFrameError(
    'BAD_PATH',
    `path ${i} ${shown.length > 80 ? shown.slice(0, 80) + '…' : shown}: ${why}`,
  )
}
