import { headerOf, type SplitValue } from '../../shared/byte-value'
import { encodeCommandFrameMembers } from '../../shared/protocol'
import { deferred } from '../base/deferred'
import { FifoQueue } from '../base/fifo-queue'
import { HostPipeError } from './host-pipe-error'
import type { InFlightCommands, Outbound, OutboundCommand, OutboundEvent } from './outbound-frames'

/**
 * The one thing HostPipe needs of a connected host: a way to write a frame. HostPipe never sees a
 * socket, a process or Electron.
 */
export interface HostWriter {
  /** Writes one frame (no trailing `\n`); resolves when the transport has taken it. */
  write(line: string): Promise<void>
  /**
   * Optional synchronous form of `write`, for transports that can take a frame at once (a socket
   * below its high-water mark). Returns `undefined` when the transport took `line` now (what a
   * `write` that resolves at once means), or the promise `write` would have returned when the
   * caller must wait (backpressure) or the write failed (rejected: the frame was not taken). It
   * should not throw; a throw counts as a failed write. When it is there HostPipe uses it instead
   * of `write`, so a burst of frames costs no promise and no `await` per frame.
   */
  writeOrWait?(line: string): Promise<void> | undefined
  /**
   * Present when the host takes byte frames (it announced `bytes` and its transport carries
   * them): writes one, with `writeOrWait`'s contract. A command holding bytes goes only this way;
   * without it, its saga fails (docs/protocol.md#byte-frames).
   */
  writeByteFrame?(frame: SplitValue): Promise<void> | undefined
}

/** What a slot's write loop tells HostPipe, which owns the buffer, the counters and the deadline. */
export interface WriteLoopHooks {
  commandWritten(slot: WriterSlot, frame: OutboundCommand): void
  commandWriteFailed(slot: WriterSlot, frame: OutboundCommand, err: unknown): void
  /** `frame` holds bytes and this writer takes none: never written; its saga fails with `reason`. */
  commandRefused(slot: WriterSlot, frame: OutboundCommand, reason: string): void
  eventWriteFailed(slot: WriterSlot, item: OutboundEvent, err: unknown): void
}

/**
 * What a caller whose frame was written before it returned gets: no promise per frame. Its `catch`
 * returns the promise itself. The promise is fulfilled, so no rejection handler of it can ever
 * run, and the new promise `Promise.prototype.catch` would make (settled by a microtask of its
 * own) behaves the same but costs an allocation and a microtask per command to every caller that
 * writes `sendCommand(cmd).catch(report)`.
 */
const WRITTEN: Promise<void> = Promise.resolve()
Object.defineProperty(WRITTEN, 'catch', { value: () => WRITTEN })

/** Why a command holding bytes fails on a host that takes no byte frames. */
export const REASON_NO_BYTES =
  'input holds bytes (a Uint8Array) and the host did not announce the `bytes` feature, or its transport carries none'

/**
 * One connected host: its writer, its write queue and the one loop that writes it (a command gets
 * its seq, and is tracked in flight, as its write starts), whether it acks, and the bookkeeping
 * of the `setWriter` drain that started it.
 *
 * The loop keeps one write in flight at a time, in queue order, so frames never interleave or
 * reorder (the seed held a mutex across writes for the same reason). It stops when the slot is no
 * longer current; what is still queued is then taken back by HostPipe.
 *
 * The loop is synchronous while the writer takes frames at once (`HostWriter.writeOrWait`): a
 * burst of sends, or the frames an ack lets out of the buffer, reach the transport before the
 * caller's turn ends, with no promise or `await` per frame, so the transport can coalesce them
 * into one write whatever context the caller runs in. Only a write that must wait (backpressure,
 * or a writer with `write` alone) parks the loop until it settles; a caller gets a promise of its
 * own only then, or when its frame queues behind such a write.
 */
export class WriterSlot {
  readonly queue = new FifoQueue<Outbound>()
  /** Commands in `queue` (not yet started): they count against `maxInFlight`. */
  queuedCommands = 0
  isCurrent = true
  /** The loop is on the stack: a send from a hook (a listener) queues behind what it writes. */
  private isPumping = false
  /** The write the loop waits for, if one did not complete at once. */
  private waitingOn: Outbound | undefined
  /** Frames of the `setWriter` drain not yet written (or failed, or purged). */
  private readonly drainFrames = new Set<OutboundCommand>()
  private resolveDrain: (() => void) | undefined
  /** Settles once the drain has: every drained frame written, or the slot detached. */
  readonly drainSettled: Promise<void>

  /**
   * @param inFlight the pipe's commands in flight (one tracker for all its hosts: seqs run on).
   * @param maxInFlight the in-flight window (HostPipe's `maxInFlight`).
   */
  constructor(
    readonly writer: HostWriter,
    readonly hasAcks: boolean,
    private readonly inFlight: InFlightCommands,
    private readonly maxInFlight: number,
    private readonly hooks: WriteLoopHooks,
  ) {
    this.drainSettled = new Promise<void>((resolve) => {
      this.resolveDrain = resolve
    })
  }

  /** Room in the in-flight window for one more command (those queued here count). */
  get hasRoom(): boolean {
    return this.inFlight.length + this.queuedCommands < this.maxInFlight
  }

  /** Queues a command behind everything queued. */
  enqueueCommand(frame: OutboundCommand): void {
    this.queue.push(frame)
    this.queuedCommands++
  }

  /**
   * Writes a raw line (an event or a control frame) behind everything queued. The promise
   * settles when its write does, or resolves unwritten if the slot is released first.
   */
  writeRaw(item: OutboundEvent): Promise<void> {
    if (this.isIdle) return this.writeAlone(item, true)!
    const waiter = deferred<void>()
    item.waiter = waiter
    this.queue.push(item)
    this.startWriting()
    return waiter.promise
  }

  /** Writes a caller's command behind everything queued; the promise settles when its write does. */
  writeCommand(frame: OutboundCommand): Promise<void> {
    if (this.isIdle) return this.writeAlone(frame, true)!
    const waiter = deferred<void>()
    frame.waiter = waiter
    this.enqueueCommand(frame)
    this.startWriting()
    return waiter.promise
  }

  /** `writeCommand` for a caller that does not wait for the write: no promise is made. */
  postCommand(frame: OutboundCommand): void {
    if (this.isIdle) {
      this.writeAlone(frame, false)
      return
    }
    this.enqueueCommand(frame)
    this.startWriting()
  }

  /** Whether a command of the saga is queued with its write not started. */
  hasQueuedSaga(sagaId: number): boolean {
    let found = false
    this.queue.forEach((item) => {
      if (item.type === 'command' && item.sagaId === sagaId) found = true
    })
    return found
  }

  /** Queues a buffered frame as part of the `setWriter` drain. */
  enqueueDrainFrame(frame: OutboundCommand): void {
    this.enqueueCommand(frame)
    this.drainFrames.add(frame)
  }

  get drainSize(): number {
    return this.drainFrames.size
  }

  /** The drain has not settled yet. */
  get isDraining(): boolean {
    return this.resolveDrain !== undefined
  }

  isDrainFrame(frame: OutboundCommand): boolean {
    return this.drainFrames.has(frame)
  }

  /**
   * `frame` is done with the drain (written, failed or purged). True when it was the drain's last
   * frame: the caller then ends the drain (`settleDrain`).
   */
  leaveDrain(frame: OutboundCommand): boolean {
    return this.drainFrames.delete(frame) && this.drainFrames.size === 0 && this.isDraining
  }

  /** Ends the drain, whatever is left of it. Idempotent. */
  settleDrain(): void {
    this.drainFrames.clear()
    const resolve = this.resolveDrain
    this.resolveDrain = undefined
    resolve?.()
  }

  /**
   * Removes the saga's queued commands (in order) and returns them; their waiting callers resolve
   * (the frames will never be written, and that is not a write failure). `drainEnded`: one of
   * them was the drain's last frame, so the caller ends the drain (`settleDrain`).
   */
  removeSagaCommands(sagaId: number): { removed: OutboundCommand[]; drainEnded: boolean } {
    let drainEnded = false
    const removed = this.removeCommandsWhere((f) => f.sagaId === sagaId)
    for (const frame of removed) {
      frame.waiter?.resolve()
      frame.waiter = undefined
      if (this.leaveDrain(frame)) drainEnded = true
    }
    return { removed, drainEnded }
  }

  /** Removes the queued commands matching `pred` (in order) and returns them. */
  removeCommandsWhere(pred: (frame: OutboundCommand) => boolean): OutboundCommand[] {
    const removed = this.queue.removeWhere(
      (item) => item.type === 'command' && pred(item),
    ) as OutboundCommand[]
    this.queuedCommands -= removed.length
    return removed
  }

  /**
   * The slot stops being current: its loop stops and its queue empties. Waiting senders of events
   * and commands resolve (events are dropped; commands go back to the buffer), fail-fast probes
   * reject HOST_NOT_CONNECTED. Returns the commands to buffer again, in order (not the settled ones).
   */
  release(): OutboundCommand[] {
    this.isCurrent = false
    this.queuedCommands = 0
    const toBuffer: OutboundCommand[] = []
    for (const item of this.queue.takeAll()) {
      if (item.type === 'event') {
        item.waiter?.resolve()
        item.waiter = undefined
        continue
      }
      const waiter = item.waiter
      item.waiter = undefined
      if (item.noBuffer) {
        waiter?.reject(
          new HostPipeError('HOST_NOT_CONNECTED', 'host disconnected before the probe was written'),
        )
        continue
      }
      if (!item.settled) toBuffer.push(item)
      waiter?.resolve()
    }
    return toBuffer
  }

  /** Runs the write loop unless it is running or waiting already (it will pick up the new items). */
  startWriting(): void {
    if (this.isPumping || this.waitingOn) return
    this.isPumping = true
    try {
      while (this.isCurrent) {
        const item = this.queue.shift()
        if (!item) break
        if (item.type === 'command') this.queuedCommands--
        if (!this.writeItem(item)) break
      }
    } finally {
      this.isPumping = false
    }
  }

  /** Nothing queued, nothing being written: a new frame can go straight to the writer. */
  private get isIdle(): boolean {
    return this.isCurrent && !this.isPumping && this.waitingOn === undefined && this.queue.length === 0
  }

  /**
   * The fast path of an idle slot: writes `item` now, without queueing it. A caller that waits
   * (`wantsPromise`) gets the shared resolved promise when the write completed at once, else a
   * promise of its own; one that does not gets nothing.
   */
  private writeAlone(item: Outbound, wantsPromise: boolean): Promise<void> | undefined {
    this.isPumping = true
    let isWritten: boolean
    try {
      isWritten = this.writeItem(item)
    } finally {
      this.isPumping = false
    }
    if (!isWritten) {
      if (!wantsPromise) return undefined
      // Nothing settles a parked write before this returns: its callbacks run on a later turn.
      const waiter = deferred<void>()
      item.waiter = waiter
      return waiter.promise
    }
    // A hook may have queued frames behind this one (a listener that sends).
    if (this.queue.length > 0) this.startWriting()
    return wantsPromise ? WRITTEN : undefined
  }

  /**
   * Starts `item`'s write. True when it completed at once (its hook has run); false when the loop
   * now waits for it (`waitingOn`), to go on when it settles.
   */
  private writeItem(item: Outbound): boolean {
    const blocks = item.type === 'command' ? item.blocks : undefined
    if (blocks && !this.writer.writeByteFrame) {
      this.hooks.commandRefused(this, item as OutboundCommand, REASON_NO_BYTES)
      return true
    }
    const line =
      item.type === 'command'
        ? encodeCommandFrameMembers(this.inFlight.beginWrite(item, this.hasAcks), item.members)
        : item.line
    let pending: Promise<void> | undefined
    try {
      if (blocks)
        pending = this.writer.writeByteFrame!({
          header: headerOf(line, (item as OutboundCommand).paths!),
          blocks,
        })
      else pending = this.writer.writeOrWait ? this.writer.writeOrWait(line) : this.writer.write(line)
    } catch (err) {
      pending = Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    if (pending === undefined) {
      this.written(item)
      return true
    }
    this.waitingOn = item
    pending.then(this.onWaitedWritten, this.onWaitedFailed)
    return false
  }

  private written(item: Outbound): void {
    if (item.type === 'command') return this.hooks.commandWritten(this, item)
    const waiter = item.waiter
    item.waiter = undefined
    waiter?.resolve()
  }

  private readonly onWaitedWritten = (): void => {
    const item = this.waitingOn!
    this.waitingOn = undefined
    this.isPumping = true
    try {
      this.written(item)
    } finally {
      this.isPumping = false
    }
    this.startWriting()
  }

  private readonly onWaitedFailed = (err: unknown): void => {
    const item = this.waitingOn!
    this.waitingOn = undefined
    this.isPumping = true
    try {
      if (item.type === 'command') this.hooks.commandWriteFailed(this, item, err)
      else this.hooks.eventWriteFailed(this, item, err)
    } finally {
      this.isPumping = false
    }
    this.startWriting()
  }
}
