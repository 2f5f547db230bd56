/**
 * The byte frame codec on a byte stream: a value split by `byte-value.ts` as one frame, the bytes
 * carried raw, never as JSON text or base64 (docs/protocol.md#byte-frames).
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
import { ByteFrameError, joinValue, splitValue, type SplitValue } from './byte-value'

/** The first byte of every byte frame. */
export const BYTE_FRAME_MARKER = 0x00
/** Default most blocks one frame may carry. */
export const MAX_BYTE_BLOCKS = 4096
/** Marker, block count and header length: the part of the prefix before the block lengths. */
export const FIXED_PREFIX_BYTES = 9

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true })

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
