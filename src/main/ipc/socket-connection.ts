import type { Socket } from 'node:net'
import { silentLogger, type Logger } from '../base/logger'
import { encodeSplitValue, type EncodedByteFrame, type InboundFrame } from '../../shared/byte-frame'
import type { SplitValue } from '../../shared/byte-value'
import { BaseFrameConnection } from './base-frame-connection'
import { NdjsonFramer } from './ndjson-framer'

/** Bytes not yet taken by the kernel (ours plus Node's) before `send` makes its caller wait. */
export const SOCKET_SEND_HIGH_WATER = 64 * 1024
/** Bytes queued within one tick that are written at once instead of at the end of the tick. */
export const SOCKET_FLUSH_BYTES = 16 * 1024
/**
 * The first write of a tick goes out sooner, at this many bytes, so a peer answering a burst of
 * calls starts on the first ones while this side produces the rest: with 64 calls of `add` in
 * flight the two processes then overlap instead of taking turns (~1.4x the calls/s,
 * docs/benchmarks.md). Later writes of the tick wait for SOCKET_FLUSH_BYTES, so a long burst
 * costs one syscall more, not four times as many.
 */
export const SOCKET_FIRST_FLUSH_BYTES = 4 * 1024
/** A peer that leaves this much unread (our queue plus Node's) is cut off. */
export const SOCKET_MAX_QUEUED_BYTES = 16 * 1024 * 1024
/** How long `close()` waits for the peer to finish closing before the socket is destroyed. */
export const SOCKET_CLOSE_GRACE_MS = 1000

export interface SocketConnectionOptions {
  /** For logs; default "unix socket #<n>". */
  description?: string
  log?: Logger
  /** Default SOCKET_MAX_QUEUED_BYTES. */
  maxQueuedBytes?: number
  /** Default MAX_FRAME_BYTES. */
  maxFrameBytes?: number
}

interface Waiter {
  resolve(): void
  reject(err: Error): void
}

const resolved = Promise.resolve()
let nextSocketId = 1

/**
 * A FrameConnection over a stream socket (Unix socket, Windows named pipe): NDJSON lines.
 *
 * Sends are coalesced: lines queued during one tick go out as one `socket.write`, so a burst of
 * frames from HostPipe costs one syscall, not one each. A burst that reaches
 * SOCKET_FIRST_FLUSH_BYTES (later in the tick SOCKET_FLUSH_BYTES) is written at once rather than at
 * the end of the tick, so the peer starts on the first frames while the rest are still being
 * produced (the two processes overlap instead of taking turns).
 *
 * Backpressure, which HostPipe's one-write-at-a-time loop relies on: `send` resolves at once while
 * fewer than SOCKET_SEND_HIGH_WATER bytes are waiting for the kernel (the transport took the
 * frame). Beyond that the caller waits, its frame held here until the socket has room; it resolves
 * when the frame is handed to the socket and rejects only if the connection closed first. So a
 * rejected send was never written (HostPipe may send it again without a replay), and a frame
 * handed to the socket is never reported as failed.
 */
export class SocketConnection extends BaseFrameConnection {
  readonly description: string
  private readonly log: Logger
  private maxQueuedBytes: number
  private readonly baseMaxQueuedBytes: number
  private readonly framer: NdjsonFramer
  /** Lines, and byte frames' pieces (views of the sender's bytes), in send order. */
  private queued: Array<string | EncodedByteFrame> = []
  private queuedBytes = 0
  /** Byte frames in `queued`: while 0 a flush joins lines without looking at them. */
  private queuedByteFrames = 0
  private waiters: Waiter[] = []
  private isFlushScheduled = false
  /** This tick has written early once (SOCKET_FIRST_FLUSH_BYTES): later writes wait for more. */
  private hasFlushedEarly = false
  /** Frames ever queued: an early write empties `queued`, so the settle check counts these. */
  private framesQueued = 0
  /** `framesQueued` when `flushWhenSettled` last looked (-1: not yet this tick). */
  private queuedAtCheck = -1
  private isClosing = false
  private isGone = false
  /** Reading stopped at an over-long frame. */
  private isReadPaused = false
  private goneReason = ''
  private closeTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly socket: Socket,
    opts: SocketConnectionOptions = {},
  ) {
    super()
    this.description = opts.description ?? `unix socket #${nextSocketId++}`
    this.log = opts.log ?? silentLogger
    this.maxQueuedBytes = opts.maxQueuedBytes ?? SOCKET_MAX_QUEUED_BYTES
    this.baseMaxQueuedBytes = this.maxQueuedBytes
    this.framer = new NdjsonFramer({
      onLine: (line) => this.frameHandler?.(line),
      onText: (line) => this.frameHandler?.(line),
      onTooLarge: (bytes) => this.onFramerTooLarge(bytes),
      onByteFrame: (frame) => this.frameHandler?.(frame),
      maxLineBytes: opts.maxFrameBytes,
    })
    if (opts.maxFrameBytes !== undefined) this.setMaxFrameBytes(opts.maxFrameBytes)
    socket.on('drain', this.flush)
    socket.on('error', this.onError)
    socket.on('close', this.onSocketClose)
    if (socket.destroyed) queueMicrotask(() => this.onSocketClose())
  }

  send(frame: string): Promise<void> {
    return this.sendOrWait(frame) ?? resolved
  }

  /** `send` without a promise while the socket has room: undefined when the frame was taken. */
  sendOrWait(frame: string): Promise<void> | undefined {
    if (this.isClosing || this.isGone) return Promise.reject(new Error(`${this.description} is closed`))
    this.queued.push(frame)
    this.framesQueued++
    this.queuedBytes += frame.length + 1
    return this.afterQueued()
  }

  /** A byte frame, written as its pieces (no copy of the blocks): `sendOrWait`'s contract. */
  sendByteFrame(frame: SplitValue): Promise<void> | undefined {
    if (this.isClosing || this.isGone) return Promise.reject(new Error(`${this.description} is closed`))
    let encoded: EncodedByteFrame
    try {
      encoded = encodeSplitValue(frame)
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    this.queued.push(encoded)
    this.framesQueued++
    this.queuedByteFrames++
    this.queuedBytes += encoded.byteLength
    return this.afterQueued()
  }

  acceptByteFrames(): void {
    this.isAcceptingByteFrames = true
    this.framer.acceptByteFrames()
  }

  private afterQueued(): Promise<void> | undefined {
    const backlog = this.queuedBytes + this.socket.writableLength
    if (backlog > this.maxQueuedBytes) {
      this.log.warn(
        `[ipc] ${this.description}: peer is not reading (${this.queuedBytes} bytes queued); closing`,
      )
      this.destroy('peer too slow')
      return Promise.reject(new Error(`${this.description} was closed: peer too slow`))
    }
    if (this.queuedBytes >= (this.hasFlushedEarly ? SOCKET_FLUSH_BYTES : SOCKET_FIRST_FLUSH_BYTES)) {
      this.hasFlushedEarly = true
      this.writeUnlessBackedUp()
    }
    // Also after an early write: the tick's end writes the rest and ends the early phase.
    this.scheduleFlush()
    if (this.queued.length === 0 || backlog < SOCKET_SEND_HIGH_WATER) return undefined
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  /**
   * Lines are delivered as text when their chunk was all ASCII (decoded once per chunk), else as
   * bytes (a Uint8Array view valid during the call), which the protocol layer decodes strictly.
   */
  override onFrame(fn: (frame: InboundFrame) => void): void {
    const isFirst = this.frameHandler === undefined
    super.onFrame(fn)
    // Reading starts only once someone listens, so no frame arrives before a handler exists.
    if (isFirst && !this.isGone) {
      this.socket.on('data', this.onData)
      this.socket.on('end', this.onEnd)
    }
  }

  /**
   * Also lets one outbound frame of that size through: the unread-bytes cut-off is the base
   * limit plus one such frame, so a peer is cut off for not reading, never for one big frame.
   */
  override setMaxFrameBytes(bytes: number): void {
    super.setMaxFrameBytes(bytes)
    this.framer.setMaxLineBytes(bytes)
    this.maxQueuedBytes = this.baseMaxQueuedBytes + bytes
  }

  close(): void {
    if (this.isClosing || this.isGone) return
    this.isClosing = true
    this.framer.close()
    this.socket.off('data', this.onData)
    // Reading resumes, into nothing: a socket paused after an over-long frame would never see
    // the peer's EOF, and whoever awaits this close (the server's `close()`) would wait forever.
    if (this.isReadPaused) this.socket.resume()
    this.writeQueued()
    this.socket.end()
    // A peer that never closes its end must not keep the descriptor open. Not unref'd: a
    // server closing waits for this socket, and an unref'd timer would let the process exit
    // with that wait unsettled.
    this.closeTimer = setTimeout(() => this.socket.destroy(), SOCKET_CLOSE_GRACE_MS)
  }

  private readonly onData = (chunk: Buffer): void => {
    this.framer.push(chunk)
  }

  private readonly onEnd = (): void => this.framer.end()

  private onFramerTooLarge(bytes: number): void {
    this.isReadPaused = true
    this.socket.pause()
    this.refuseTooLarge(bytes)
  }

  private scheduleFlush(): void {
    if (this.isFlushScheduled) return
    this.isFlushScheduled = true
    this.queuedAtCheck = -1
    process.nextTick(this.flushWhenSettled)
  }

  /**
   * Writes once the burst has stopped growing. It first runs as a nextTick, after the code that
   * queued the first frame; Node runs ticks before promise callbacks, so a burst that goes on in
   * promise continuations (`await send(); send()`, from a timer or an I/O callback) would be cut
   * in two there. So it looks again one microtask later, and again while frames keep arriving:
   * the write goes out on the first turn that added nothing. A burst that grows forever is still
   * written at SOCKET_FLUSH_BYTES, so this never holds more than that.
   */
  private readonly flushWhenSettled = (): void => {
    if (!this.isFlushScheduled) return
    if (this.framesQueued !== this.queuedAtCheck) {
      this.queuedAtCheck = this.framesQueued
      queueMicrotask(this.flushWhenSettled)
      return
    }
    this.hasFlushedEarly = false
    this.flush()
  }

  /** Writes what is queued unless the socket is backed up (then 'drain' calls this again). */
  private readonly flush = (): void => {
    this.isFlushScheduled = false
    this.writeUnlessBackedUp()
  }

  private writeUnlessBackedUp(): void {
    if (!this.isGone && this.socket.writableLength < SOCKET_SEND_HIGH_WATER) this.writeQueued()
  }

  /** Hands every queued frame to the socket; the senders waiting on them are done. */
  private writeQueued(): void {
    if (this.queued.length === 0 || this.socket.destroyed) return
    const queued = this.queued
    this.queued = []
    this.queuedBytes = 0
    if (this.queuedByteFrames === 0) {
      const lines = queued as string[]
      this.socket.write(lines.length === 1 ? lines[0] + '\n' : lines.join('\n') + '\n')
    } else {
      this.queuedByteFrames = 0
      this.writeMixed(queued)
    }
    this.settleWaiters()
  }

  /** Lines and byte frames in order: runs of lines joined, a frame's pieces written as they are. */
  private writeMixed(queued: ReadonlyArray<string | EncodedByteFrame>): void {
    this.socket.cork()
    let lines = ''
    for (const item of queued) {
      if (typeof item === 'string') {
        lines += item + '\n'
        continue
      }
      if (lines !== '') this.socket.write(lines)
      lines = ''
      for (const piece of item.pieces) this.socket.write(piece)
    }
    if (lines !== '') this.socket.write(lines)
    this.socket.uncork()
  }

  private settleWaiters(err?: Error): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) {
      if (err) w.reject(err)
      else w.resolve()
    }
  }

  private readonly onError = (err: Error): void => {
    this.goneReason ||= `error: ${err.message}`
    this.log.debug(`[ipc] ${this.description}: ${err.message}`)
  }

  private destroy(reason: string): void {
    this.goneReason ||= reason
    this.isClosing = true
    this.framer.close()
    this.socket.destroy()
  }

  private readonly onSocketClose = (): void => {
    if (this.isGone) return
    this.isGone = true
    if (this.closeTimer) clearTimeout(this.closeTimer)
    this.framer.close()
    this.socket.off('data', this.onData)
    this.socket.off('end', this.onEnd)
    this.socket.off('drain', this.flush)
    const reason = this.goneReason || (this.isClosing ? 'closed' : 'eof')
    this.queued = []
    this.queuedBytes = 0
    this.queuedByteFrames = 0
    this.settleWaiters(new Error(`${this.description} closed (${reason})`))
    this.reportClosed(reason)
  }
}
