import { isAscii } from 'node:buffer'
import { BYTE_FRAME_MARKER, ByteFrameDecoder, ReceivedByteFrame } from '../../shared/byte-frame'
import { ByteFrameError } from '../../shared/byte-value'
import { MAX_FRAME_BYTES } from '../../shared/protocol-core'

const LF = 0x0a
const CR = 0x0d

export interface NdjsonFramerOptions {
  /** One whole line without its terminator. Valid only during the call (it may view the chunk). */
  onLine(line: Uint8Array): void
  /**
   * Optional: lines of a chunk that is all ASCII, as strings (one decode for the whole chunk
   * instead of one per line). For ASCII, the bytes and the string say the same, byte for char,
   * so a reader sees no difference but the type; strict UTF-8 decoding has nothing to refuse.
   */
  onText?(line: string): void
  /** A line grew past the limit; called once, after which the framer delivers nothing more. */
  onTooLarge(bytes: number): void
  /** Default MAX_FRAME_BYTES. */
  maxLineBytes?: number
  /**
   * Byte frames read between lines once `acceptByteFrames` was called (docs/protocol.md#byte-frames).
   * One that could not be read comes with its error; after a fatal one (`isFatal`) the framer
   * stops, since where the next frame starts is unknown.
   */
  onByteFrame?(frame: ReceivedByteFrame): void
}

/**
 * Splits an inbound byte stream into NDJSON lines. Works on bytes, not strings, so a multi-byte
 * UTF-8 character split across chunks arrives whole and `parseHostInbound` can decode strictly.
 *
 * Memory is bounded: it never holds more than `maxLineBytes` of an unfinished line. A longer line
 * is reported once and the framer stops (the connection is closed: after an over-long line there
 * is no way to know where the next frame starts without reading the rest of it).
 *
 * `\r\n` is accepted as a terminator. Empty lines are not frames and are skipped.
 *
 * With byte frames accepted, a 0x00 where a line would start begins a byte frame (no JSON line
 * starts with, or holds, a raw 0x00), read by a ByteFrameDecoder under the same cap; lines resume
 * after it.
 */
export class NdjsonFramer {
  private readonly onLine: (line: Uint8Array) => void
  private readonly onTooLarge: (bytes: number) => void
  private readonly onText: ((line: string) => void) | undefined
  private maxLineBytes: number
  /** Pieces of the unfinished line, copied out of their chunks. */
  private partial: Uint8Array[] = []
  private partialBytes = 0
  private stopped = false
  private readonly onByteFrame: ((frame: ReceivedByteFrame) => void) | undefined
  private byteFrames: ByteFrameDecoder | undefined

  constructor(opts: NdjsonFramerOptions) {
    this.onLine = opts.onLine
    this.onTooLarge = opts.onTooLarge
    this.onText = opts.onText
    this.maxLineBytes = opts.maxLineBytes ?? MAX_FRAME_BYTES
    this.onByteFrame = opts.onByteFrame
  }

  /** From now on a 0x00 at the start of a line begins a byte frame (needs `onByteFrame`). */
  acceptByteFrames(): void {
    const onByteFrame = this.onByteFrame
    if (!onByteFrame || this.byteFrames) return
    this.byteFrames = new ByteFrameDecoder({
      onFrame: (value, byteLength) => onByteFrame(new ReceivedByteFrame(byteLength, value)),
      onBadFrame: (err, byteLength) => onByteFrame(new ReceivedByteFrame(byteLength, undefined, err)),
      maxFrameBytes: this.maxLineBytes,
      allocateBody,
    })
  }

  /** True once an over-long line was reported. */
  get isStopped(): boolean {
    return this.stopped
  }

  /**
   * Changes the cap for the line being read and every later one (a peer that registered learns a
   * larger one). An unfinished line already over a lowered cap is refused at its next byte.
   */
  setMaxLineBytes(bytes: number): void {
    this.maxLineBytes = bytes
    this.byteFrames?.setMaxFrameBytes(bytes)
  }

  /** Bytes of the unfinished line held right now (for tests of the memory bound). */
  get bufferedBytes(): number {
    const frame = this.byteFrames
    return this.partialBytes + (frame && !frame.isIdle ? frame.bufferedBytes : 0)
  }

  push(chunk: Uint8Array): void {
    if (this.byteFrames) return this.pushMixed(chunk, this.byteFrames)
    // A busy pipe's chunks hold many short ASCII lines: decoding each line on its own (a view, a
    // Buffer, a TextDecoder call) was a quarter of a host's CPU per command.
    if (this.onText && this.partialBytes === 0 && isAscii(chunk)) return this.pushAscii(chunk)
    let start = 0
    while (!this.stopped) {
      const nl = chunk.indexOf(LF, start)
      if (nl === -1) {
        this.keepPartial(chunk.subarray(start))
        return
      }
      this.endLine(chunk.subarray(start, nl))
      start = nl + 1
    }
  }

  /** `push` on a stream that may hold byte frames between lines. */
  private pushMixed(chunk: Uint8Array, byteFrames: ByteFrameDecoder): void {
    // The common chunk, lines only: a memchr for 0x00, then the usual path.
    if (
      byteFrames.isIdle &&
      this.onText &&
      this.partialBytes === 0 &&
      chunk.indexOf(BYTE_FRAME_MARKER) === -1 &&
      isAscii(chunk)
    )
      return this.pushAscii(chunk)
    let start = 0
    while (!this.stopped && start < chunk.length) {
      if (!byteFrames.isIdle || (this.partialBytes === 0 && chunk[start] === BYTE_FRAME_MARKER)) {
        try {
          start = byteFrames.pushFrame(chunk, start)
        } catch (err) {
          if (!(err instanceof ByteFrameError)) throw err
          this.close()
          this.onByteFrame!(new ReceivedByteFrame(byteFrames.bufferedBytes, undefined, err))
          return
        }
        continue
      }
      const nl = chunk.indexOf(LF, start)
      if (nl === -1) return this.keepPartial(chunk.subarray(start))
      this.endLine(chunk.subarray(start, nl))
      start = nl + 1
    }
  }

  /** The stream ended: a byte frame cut short is reported (TRUNCATED). */
  end(): void {
    if (this.stopped || !this.byteFrames || this.byteFrames.isIdle) return
    try {
      this.byteFrames.end()
    } catch (err) {
      if (err instanceof ByteFrameError) this.onByteFrame!(new ReceivedByteFrame(0, undefined, err))
    }
  }

  private pushAscii(chunk: Uint8Array): void {
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1')
    let start = 0
    while (!this.stopped) {
      const nl = text.indexOf('\n', start)
      if (nl === -1) {
        // ASCII: character offsets are byte offsets.
        this.keepPartial(chunk.subarray(start))
        return
      }
      const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl
      if (end - start > this.maxLineBytes) return this.stop(end - start)
      if (end > start) this.onText!(text.slice(start, end))
      start = nl + 1
    }
  }

  private endLine(tail: Uint8Array): void {
    const total = this.partialBytes + tail.length
    const lastByte = tail.length > 0 ? tail[tail.length - 1] : this.partial.at(-1)?.at(-1)
    const length = lastByte === CR ? total - 1 : total
    // Checked before joining the pieces, so an over-long line is never copied.
    if (length > this.maxLineBytes) return this.stop(length)
    const line = this.partialBytes === 0 ? tail : concat(this.partial, this.partialBytes, tail)
    this.partial = []
    this.partialBytes = 0
    if (length > 0) this.onLine(line.subarray(0, length))
  }

  private keepPartial(rest: Uint8Array): void {
    if (rest.length === 0) return
    const total = this.partialBytes + rest.length
    // One byte of slack for a `\r` whose `\n` has not arrived yet.
    if (total > this.maxLineBytes + 1 || (total === this.maxLineBytes + 1 && rest[rest.length - 1] !== CR))
      return this.stop(total)
    // Copied: the chunk belongs to the stream and may be reused once this call returns.
    this.partial.push(rest.slice())
    this.partialBytes = total
  }

  /** Stops delivering lines (the connection closed); drops the unfinished line. */
  close(): void {
    this.stopped = true
    this.partial = []
    this.partialBytes = 0
  }

  private stop(bytes: number): void {
    this.close()
    this.onTooLarge(bytes)
  }
}

/**
 * A byte frame's body: fresh memory of its own (the app may keep a block or its `.buffer`), not
 * zero-filled, since the decoder overwrites every byte before the frame is delivered.
 */
function allocateBody(byteLength: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(byteLength).buffer, 0, byteLength)
}

function concat(pieces: Uint8Array[], piecesBytes: number, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(piecesBytes + tail.length)
  let offset = 0
  for (const piece of pieces) {
    out.set(piece, offset)
    offset += piece.length
  }
  out.set(tail, offset)
  return out
}
