/**
 * The byte frame codec: a JSON-able value holding `Uint8Array`s anywhere (a `Buffer` included)
 * as one frame on a byte stream, the bytes carried raw, never as JSON text or base64
 * (docs/protocol.md#byte-frames).
 *
 * A value splits into a header, the JSON text `{"v":<value>,"b":[<path>,…]}` in which each byte
 * block is `null` and its path (keys and array indices from the value's root) is listed in `b`,
 * and the blocks themselves. No key inside the value is reserved, so app data cannot collide.
 *
 * Frame layout (integers are u32 big-endian):
 * ```
 * 0x00 | block count n | header length | n block lengths | header (UTF-8) | blocks
 * ```
 * The marker 0x00 is a byte no NDJSON line starts with, so both kinds of frame can share a
 * stream. Every length comes before its bytes: a decoder knows a frame's whole size after at most
 * 9 + 4n bytes and refuses it then, before buffering it.
 *
 * Runtime-free: no Node, no DOM. Only `TextEncoder`/`TextDecoder`.
 */
import { utf8ByteLength } from './protocol-core'

/** The first byte of every byte frame. */
export const BYTE_FRAME_MARKER = 0x00
/** Default most blocks one frame may carry. */
export const MAX_BYTE_BLOCKS = 4096
/** Marker, block count and header length. */
const FIXED_PREFIX_BYTES = 9

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

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true })
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
  obj: object,
  depth: number,
  seen: Set<object> | undefined,
  tally: { bytes: number; blocks: number },
): Set<object> | undefined {
  if (depth > 8) {
    seen ??= new Set()
    if (seen.has(obj)) return seen
    seen.add(obj)
  }
  if (ArrayBuffer.isView(obj)) return seen
  const isArray = Array.isArray(obj)
  const items: unknown[] = isArray ? (obj as unknown[]) : []
  if (!isArray)
    for (const key in obj) if (Object.hasOwn(obj, key)) items.push((obj as Record<string, unknown>)[key])
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue
    if (item instanceof Uint8Array) {
      tally.bytes += item.byteLength
      tally.blocks++
    } else seen = sumBlocksIn(item, depth + 1, seen, tally)
  }
  return seen
}

/** The size of `split` as one frame on a byte stream, prefix included. */
export function byteFrameLength(split: SplitValue): number {
  let n = FIXED_PREFIX_BYTES + 4 * split.blocks.length + utf8ByteLength(split.header)
  for (const block of split.blocks) n += block.byteLength
  return n
}

/** A frame ready to write: its pieces in order (no copy of the blocks) and its total size. */
export interface EncodedByteFrame {
  pieces: Uint8Array[]
  byteLength: number
}

export interface ByteFrameEncodeOptions {
  /** Refuse (FRAME_TOO_LARGE) a frame larger than this, in bytes. Default: no limit. */
  maxFrameBytes?: number
  /** Default MAX_BYTE_BLOCKS. */
  maxBlocks?: number
}

/** Encodes `value` as one byte frame (see the layout above). Throws ByteFrameError only. */
export function encodeByteFrame(value: unknown, opts: ByteFrameEncodeOptions = {}): EncodedByteFrame {
  return encodeSplitValue(splitValue(value), opts)
}

/** Encodes a value already split (`splitValue`) as one byte frame. Throws ByteFrameError only. */
export function encodeSplitValue(split: SplitValue, opts: ByteFrameEncodeOptions = {}): EncodedByteFrame {
  const { header, blocks } = split
  const maxBlocks = opts.maxBlocks ?? MAX_BYTE_BLOCKS
  if (blocks.length > maxBlocks)
    throw new ByteFrameError(
      'TOO_MANY_BLOCKS',
      `value holds ${blocks.length} byte blocks; the most is ${maxBlocks}`,
    )
  const headerBytes = utf8Encoder.encode(header)
  const prefix = new Uint8Array(FIXED_PREFIX_BYTES + 4 * blocks.length)
  const view = new DataView(prefix.buffer)
  prefix[0] = BYTE_FRAME_MARKER
  view.setUint32(1, blocks.length)
  view.setUint32(5, checkU32(headerBytes.byteLength, 'header'))
  let byteLength = prefix.byteLength + headerBytes.byteLength
  blocks.forEach((block, i) => {
    view.setUint32(FIXED_PREFIX_BYTES + 4 * i, checkU32(block.byteLength, `block ${i}`))
    byteLength += block.byteLength
  })
  if (opts.maxFrameBytes !== undefined && byteLength > opts.maxFrameBytes)
    throw new ByteFrameError(
      'FRAME_TOO_LARGE',
      `frame is ${byteLength} bytes once encoded; maxFrameBytes is ${opts.maxFrameBytes}`,
    )
  return { pieces: [prefix, headerBytes, ...blocks], byteLength }
}

/** A frame's value from its body: the header (strict UTF-8), then the blocks (views of `body`). */
function joinBody(body: Uint8Array, headerLength: number, lengths: readonly number[]): unknown {
  let header: string
  try {
    header = utf8Decoder.decode(body.subarray(0, headerLength))
  } catch {
    throw new ByteFrameError('BAD_HEADER', 'header is not valid UTF-8')
  }
  const blocks: Uint8Array[] = []
  let at = headerLength
  for (const length of lengths) {
    blocks.push(body.subarray(at, at + length))
    at += length
  }
  return joinValue(header, blocks)
}

function checkU32(n: number, what: string): number {
  if (n > 0xffffffff)
    throw new ByteFrameError('FRAME_TOO_LARGE', `${what} is ${n} bytes; the most is 4 GiB - 1`)
  return n
}

/** `encodeByteFrame` as one contiguous array (one copy; for tests and message transports). */
export function encodeByteFrameBytes(value: unknown, opts?: ByteFrameEncodeOptions): Uint8Array {
  const { pieces, byteLength } = encodeByteFrame(value, opts)
  const out = new Uint8Array(byteLength)
  let offset = 0
  for (const piece of pieces) {
    out.set(piece, offset)
    offset += piece.byteLength
  }
  return out
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

export interface ByteFrameDecoderOptions {
  /** Each whole frame's value, and the frame's size in bytes (prefix included). */
  onFrame(value: unknown, byteLength: number): void
  /**
   * Optional: a frame whose size was right but whose header or paths were not (BAD_HEADER,
   * BAD_PATH). Its end is known, so decoding goes on after it. Without this, such a frame throws
   * and ends the decoder like any other error.
   */
  onBadFrame?(err: ByteFrameError, byteLength: number): void
  /** The most one frame may take, in bytes, prefix included. Required: there is no safe default. */
  maxFrameBytes: number
  /** Default MAX_BYTE_BLOCKS. */
  maxBlocks?: number
  /**
   * Makes the body of one frame, `byteLength` bytes, every one of which is written before the
   * frame is delivered: a runtime may skip zero-filling it. It must be fresh memory (the blocks
   * are handed to the app, which may keep them). Default `new Uint8Array(byteLength)`.
   */
  allocateBody?(byteLength: number): Uint8Array
}

/**
 * Decodes a stream of byte frames arriving in pieces of any size. Memory is bounded by
 * `maxFrameBytes`: a frame's size is known from its lengths, checked, and only then is its body
 * buffered (one allocation of exactly that size; the blocks are views of it).
 *
 * `push` and `end` throw ByteFrameError, and nothing else, for bad input; once one was thrown the
 * decoder is done (the stream can no longer be trusted) and throws it again.
 */
export class ByteFrameDecoder {
  private readonly onFrame: (value: unknown, byteLength: number) => void
  private readonly onBadFrame: ((err: ByteFrameError, byteLength: number) => void) | undefined
  private maxFrameBytes: number
  private readonly maxBlocks: number
  private readonly allocateBody: (byteLength: number) => Uint8Array
  /** The prefix being read: fixed part, then the block lengths. */
  private prefix = new Uint8Array(FIXED_PREFIX_BYTES)
  private prefixBytes = 0
  private blockCount = -1
  private headerLength = 0
  private blockLengths: number[] = []
  /** The body (header + blocks) being read, once its size was checked. */
  private body: Uint8Array | undefined
  private bodyBytes = 0
  private failure: ByteFrameError | undefined
  /** Set when `take` completed a frame: `pushFrame` stops there. */
  private didFinishFrame = false

  constructor(opts: ByteFrameDecoderOptions) {
    if (!Number.isInteger(opts.maxFrameBytes) || opts.maxFrameBytes < FIXED_PREFIX_BYTES)
      throw new RangeError(
        `maxFrameBytes must be an integer ≥ ${FIXED_PREFIX_BYTES}, got ${opts.maxFrameBytes}`,
      )
    this.onFrame = opts.onFrame
    this.onBadFrame = opts.onBadFrame
    this.maxFrameBytes = opts.maxFrameBytes
    this.maxBlocks = opts.maxBlocks ?? MAX_BYTE_BLOCKS
    this.allocateBody = opts.allocateBody ?? ((byteLength) => new Uint8Array(byteLength))
  }

  /** Bytes held now for the unfinished frame (allocated: never more than `maxFrameBytes`). */
  get bufferedBytes(): number {
    return this.prefix.byteLength + (this.body?.byteLength ?? 0)
  }

  /** True between frames: no partial frame is held. */
  get isIdle(): boolean {
    return this.prefixBytes === 0 && this.body === undefined
  }

  /** Changes the cap for frames whose size is not known yet (a peer registered). */
  setMaxFrameBytes(bytes: number): void {
    this.maxFrameBytes = bytes
  }

  push(chunk: Uint8Array): void {
    let offset = 0
    while (offset < chunk.byteLength) offset = this.pushFrame(chunk, offset)
  }

  /**
   * Consumes bytes of `chunk` from `offset` up to the end of the current frame at most, and
   * returns where it stopped: a stream that mixes byte frames with other data (NDJSON lines)
   * reads its own kind again from there. Throws as `push` does.
   */
  pushFrame(chunk: Uint8Array, offset: number): number {
    if (this.failure) throw this.failure
    this.didFinishFrame = false
    try {
      while (offset < chunk.byteLength && !this.didFinishFrame) offset = this.take(chunk, offset)
      return offset
    } catch (err) {
      // An error of `onFrame`'s own passes through untouched; the decoder stays usable.
      if (!(err instanceof ByteFrameError)) throw err
      this.failure = err
      this.prefix = new Uint8Array(0)
      this.body = undefined
      throw err
    }
  }

  /** The stream ended: throws TRUNCATED when it ended inside a frame. */
  end(): void {
    if (this.failure) throw this.failure
    if (this.isIdle) return
    const had = this.body
      ? `${this.bodyBytes} of its ${this.body.byteLength} body bytes`
      : `${this.prefixBytes} bytes of its lengths`
    this.failure = new ByteFrameError('TRUNCATED', `stream ended inside a frame (after ${had})`)
    throw this.failure
  }

  /** Consumes bytes from `offset`; returns the new offset. */
  private take(chunk: Uint8Array, offset: number): number {
    if (this.body) return this.takeBody(chunk, offset)
    if (this.prefixBytes === 0 && chunk[offset] !== BYTE_FRAME_MARKER)
      throw new ByteFrameError(
        'BAD_MARKER',
        `frame starts with byte 0x${chunk[offset]!.toString(16).padStart(2, '0')}, not 0x00`,
      )
    const n = Math.min(this.prefix.byteLength - this.prefixBytes, chunk.byteLength - offset)
    this.prefix.set(chunk.subarray(offset, offset + n), this.prefixBytes)
    this.prefixBytes += n
    if (this.prefixBytes === this.prefix.byteLength) this.onPrefixRead()
    return offset + n
  }

  private onPrefixRead(): void {
    const view = new DataView(this.prefix.buffer, this.prefix.byteOffset, this.prefix.byteLength)
    if (this.blockCount < 0) {
      this.blockCount = view.getUint32(1)
      this.headerLength = view.getUint32(5)
      if (this.blockCount > this.maxBlocks)
        throw new ByteFrameError(
          'TOO_MANY_BLOCKS',
          `frame declares ${this.blockCount} blocks; the most is ${this.maxBlocks}`,
        )
      const prefixLength = FIXED_PREFIX_BYTES + 4 * this.blockCount
      this.checkSize(prefixLength + this.headerLength)
      if (this.blockCount > 0) {
        const whole = new Uint8Array(prefixLength)
        whole.set(this.prefix)
        this.prefix = whole
        return
      }
    } else {
      for (let i = 0; i < this.blockCount; i++)
        this.blockLengths.push(view.getUint32(FIXED_PREFIX_BYTES + 4 * i))
    }
    const bodyLength = this.blockLengths.reduce((sum, n) => sum + n, this.headerLength)
    this.checkSize(this.prefix.byteLength + bodyLength)
    this.body = this.allocateBody(bodyLength)
    this.bodyBytes = 0
    if (bodyLength === 0) this.finishFrame()
  }

  private checkSize(declared: number): void {
    if (declared > this.maxFrameBytes)
      throw new ByteFrameError(
        'FRAME_TOO_LARGE',
        `frame declares ${declared}+ bytes; maxFrameBytes is ${this.maxFrameBytes}`,
      )
  }

  private takeBody(chunk: Uint8Array, offset: number): number {
    const body = this.body!
    const n = Math.min(body.byteLength - this.bodyBytes, chunk.byteLength - offset)
    // A whole chunk inside the body (the common case of a big frame) is copied without a view.
    body.set(n === chunk.byteLength ? chunk : chunk.subarray(offset, offset + n), this.bodyBytes)
    this.bodyBytes += n
    if (this.bodyBytes === body.byteLength) this.finishFrame()
    return offset + n
  }

  private finishFrame(): void {
    const body = this.body!
    const lengths = this.blockLengths
    const byteLength = this.prefix.byteLength + body.byteLength
    this.didFinishFrame = true
    this.prefix = new Uint8Array(FIXED_PREFIX_BYTES)
    this.prefixBytes = 0
    this.blockCount = -1
    this.blockLengths = []
    this.body = undefined
    let value: unknown
    try {
      value = joinBody(body, this.headerLength, lengths)
    } catch (err) {
      if (!(err instanceof ByteFrameError) || !this.onBadFrame) throw err
      return this.onBadFrame(err, byteLength)
    }
    this.onFrame(value, byteLength)
  }
}

/**
 * One byte frame as a transport hands it to the protocol layer: its value (blocks in place), or,
 * for a frame that could not be read, what was wrong. `isFatal`: the stream it came from can no
 * longer be trusted (its size was refused, so where the next frame starts is unknown).
 */
export class ReceivedByteFrame {
  constructor(
    /** The frame's size in bytes, as far as it was known. */
    readonly byteLength: number,
    readonly value: unknown,
    readonly error?: ByteFrameError,
  ) {}

  get isFatal(): boolean {
    return this.error !== undefined && this.error.code !== 'BAD_HEADER' && this.error.code !== 'BAD_PATH'
  }
}

/** What a transport hands the protocol layer: a text frame, its bytes, or a byte frame. */
export type InboundFrame = string | Uint8Array | ReceivedByteFrame

/**
 * A byte frame as one message of a message transport (a MessagePort): the header text and the
 * blocks, which structured clone copies once. The key cannot start a JSON frame's own shape, and
 * a message of this shape is read as one only on a connection that negotiated byte frames.
 */
export interface ByteFrameMessage {
  byte_frame: string
  blocks: Uint8Array[]
}

/**
 * The message for `split`. A block that views only part of its buffer (a pooled `Buffer`, a
 * `subarray`) is cut out first: structured clone copies a view's whole buffer.
 */
export function toByteFrameMessage(split: SplitValue): ByteFrameMessage {
  return {
    byte_frame: split.header,
    blocks: split.blocks.map((b) =>
      b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.constructor === Uint8Array
        ? b
        : new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice(),
    ),
  }
}

/** True when `message` has the shape of a ByteFrameMessage. */
export function isByteFrameMessage(message: unknown): message is ByteFrameMessage {
  if (typeof message !== 'object' || message === null) return false
  const m = message as Partial<ByteFrameMessage>
  return typeof m.byte_frame === 'string' && Array.isArray(m.blocks)
}

/**
 * Reads a ByteFrameMessage (a message transport delivered it whole): refused as FRAME_TOO_LARGE
 * over `maxFrameBytes`, and as BAD_HEADER when a block is not a Uint8Array or the header does
 * not fit the blocks. Never throws.
 */
export function receiveByteFrameMessage(message: ByteFrameMessage, maxFrameBytes: number): ReceivedByteFrame {
  const blocks = message.blocks
  let byteLength = FIXED_PREFIX_BYTES + 4 * blocks.length + utf8ByteLength(message.byte_frame)
  for (let i = 0; i < blocks.length; i++) {
    const block: unknown = blocks[i]
    if (!(block instanceof Uint8Array))
      return new ReceivedByteFrame(
        byteLength,
        undefined,
        new ByteFrameError('BAD_HEADER', `block ${i} is not a Uint8Array`),
      )
    byteLength += block.byteLength
  }
  if (byteLength > maxFrameBytes)
    return new ReceivedByteFrame(
      byteLength,
      undefined,
      new ByteFrameError(
        'FRAME_TOO_LARGE',
        `frame is ${byteLength} bytes; maxFrameBytes is ${maxFrameBytes}`,
      ),
    )
  try {
    return new ReceivedByteFrame(byteLength, joinValue(message.byte_frame, blocks))
  } catch (err) {
    const error = err instanceof ByteFrameError ? err : new ByteFrameError('BAD_HEADER', String(err))
    return new ReceivedByteFrame(byteLength, undefined, error)
  }
}
