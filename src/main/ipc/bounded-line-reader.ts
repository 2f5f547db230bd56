/**
 * A host's stdout and stderr, read as lines in bounded memory. Every byte stream a host can write
 * to that is not the protocol channel goes through here (the headless spawner and Electron's
 * utility process alike); the protocol channel has its own framer (ndjson-framer.ts), which
 * refuses an over-long frame instead of cutting it.
 */

/** The longest piece of one output line that is kept and logged; the rest of the line is dropped. */
export const MAX_OUTPUT_LINE_BYTES = 16 * 1024

const LF = 0x0a
const CR = 0x0d

/** What the splitter hands on: whole lines, and the head of a longer line once it passes the cap. */
export type OutputLine =
  /** A whole line (no terminator, no trailing `\r`), at most the cap long. */
  | { kind: 'line'; text: string }
  /** The first bytes (at most the cap) of a line longer than the cap; the rest is being dropped. */
  | { kind: 'cut'; text: string }
  /** A cut line ended (newline or end of stream): how many bytes of it were dropped. */
  | { kind: 'cut-end'; droppedBytes: number }

export interface BoundedLineSplitterOptions {
  onLine(line: OutputLine): void
  /** Default MAX_OUTPUT_LINE_BYTES. */
  maxLineBytes?: number
}

const utf8 = new TextDecoder('utf-8')

/**
 * Splits a byte stream into lines, holding at most `maxLineBytes` of the unfinished line. A line
 * that grows past the cap is reported at once (`cut`, its head) and the rest of it is counted,
 * not kept (`cut-end` when it ends), so a peer that never writes `\n` costs no memory and one
 * log line, however much it writes. Node's `readline`, which this replaces, keeps the whole line.
 *
 * Text is decoded leniently (a broken byte shows as U+FFFD); a cut never splits a UTF-8 character.
 * Empty lines are skipped. `\r\n` counts as one terminator.
 */
export class BoundedLineSplitter {
  private readonly onLine: (line: OutputLine) => void
  private readonly maxLineBytes: number
  private readonly partial: Uint8Array
  private partialBytes = 0
  /** Set while the rest of a cut line is being dropped: bytes dropped so far. */
  private dropped: number | undefined

  constructor(opts: BoundedLineSplitterOptions) {
    this.onLine = opts.onLine
    this.maxLineBytes = opts.maxLineBytes ?? MAX_OUTPUT_LINE_BYTES
    if (!Number.isInteger(this.maxLineBytes) || this.maxLineBytes < 4)
      throw new RangeError(`maxLineBytes must be an integer ≥ 4, got ${this.maxLineBytes}`)
    // One byte of slack for the `\r` of a `\r\n` split across chunks.
    this.partial = new Uint8Array(this.maxLineBytes + 1)
  }

  /** Bytes of the unfinished line held right now (never more than the cap + 1). */
  get bufferedBytes(): number {
    return this.partialBytes
  }

  push(chunk: Uint8Array): void {
    let start = 0
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start)
      const end = nl === -1 ? chunk.length : nl
      this.take(chunk.subarray(start, end))
      if (nl === -1) return
      this.endLine()
      start = nl + 1
    }
  }

  /** The stream ended: an unterminated last line is delivered too. */
  end(): void {
    this.endLine()
  }

  private take(bytes: Uint8Array): void {
    if (this.dropped !== undefined) {
      this.dropped += bytes.length
      return
    }
    const room = this.partial.length - this.partialBytes
    if (bytes.length <= room) {
      this.partial.set(bytes, this.partialBytes)
      this.partialBytes += bytes.length
      if (this.partialBytes <= this.maxLineBytes || this.partial[this.partialBytes - 1] === CR) return
      // Past the cap by a byte that is not a possible `\r\n`: cut.
      this.cut(0)
      return
    }
    this.partial.set(bytes.subarray(0, room), this.partialBytes)
    this.partialBytes += room
    this.cut(bytes.length - room)
  }

  /** Reports the head of an over-long line; from here on its bytes are only counted. */
  private cut(alsoDropped: number): void {
    const head = utf8CharBoundary(this.partial, this.maxLineBytes)
    this.dropped = this.partialBytes - head + alsoDropped
    this.partialBytes = 0
    this.onLine({ kind: 'cut', text: utf8.decode(this.partial.subarray(0, head)) })
  }

  private endLine(): void {
    if (this.dropped !== undefined) {
      const droppedBytes = this.dropped
      this.dropped = undefined
      this.onLine({ kind: 'cut-end', droppedBytes })
      return
    }
    let length = this.partialBytes
    this.partialBytes = 0
    if (length > 0 && this.partial[length - 1] === CR) length--
    if (length > 0) this.onLine({ kind: 'line', text: utf8.decode(this.partial.subarray(0, length)) })
  }
}

/** The largest n ≤ limit at which `bytes` can be cut without splitting a UTF-8 character. */
function utf8CharBoundary(bytes: Uint8Array, limit: number): number {
  let n = limit
  // Step back over continuation bytes (10xxxxxx), at most three.
  while (n > limit - 3 && n > 0 && (bytes[n]! & 0xc0) === 0x80) n--
  return n
}

/** The part of a Node Readable (a child's stdout or stderr) the reader uses; chunks are bytes. */
export interface ReadableLike {
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  on(event: 'end', listener: () => void): unknown
  removeListener(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  removeListener(event: 'end', listener: () => void): unknown
}

/** One output line as a log line. */
export function formatOutputLine(line: OutputLine, maxLineBytes = MAX_OUTPUT_LINE_BYTES): string {
  switch (line.kind) {
    case 'line':
      return line.text
    case 'cut':
      return `${line.text} … [line longer than ${maxLineBytes} bytes: the rest is dropped]`
    case 'cut-end':
      return `[the line cut above ended; ${line.droppedBytes} more bytes were dropped]`
  }
}

/** A BoundedLineSplitter whose lines go to `log`, formatted as log lines. */
export function outputLineLogger(log: (line: string) => void): BoundedLineSplitter {
  return new BoundedLineSplitter({ onLine: (line) => log(formatOutputLine(line)) })
}

/**
 * Calls `log` with each line of a host's stdout or stderr, cut as BoundedLineSplitter cuts.
 * Returns a function that stops listening (and logs any unterminated last line). The stream is
 * read as bytes: do not give it an encoding.
 */
export function logHostOutput(stream: ReadableLike, log: (line: string) => void): () => void {
  const splitter = outputLineLogger(log)
  const onData = (chunk: Uint8Array): void => splitter.push(chunk)
  let isStopped = false
  const stop = (): void => {
    if (isStopped) return
    isStopped = true
    stream.removeListener('data', onData)
    stream.removeListener('end', stop)
    splitter.end()
  }
  stream.on('data', onData)
  stream.on('end', stop)
  return stop
}
