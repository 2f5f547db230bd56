import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import { TimerSlot } from '../base/timer-slot'
import type { HostPipeCounters } from '../../shared/diagnostics'
import { formatBytes } from '../../shared/protocol'
import { HostPipeError } from './host-pipe-error'
import type { OutboundCommand } from './outbound-frames'
import { REASON_DISPOSED, type UndeliveredFrames } from './undelivered-frames'
import type { WriterSlot } from './writer-slot'

// Where commands wait while no host can take them (an outage, a failover), how many and for how
// long, and the bytes they hold: apart from outbound-frames.ts because a call on a connected host
// with room in flight never waits here.

/** Frames buffered while the host is away (or while `maxInFlight` commands await acks). */
export const PENDING_BUFFER_CAP = 64

/**
 * The bytes (`Uint8Array` contents) of the calls waiting in a launcher, against its
 * `maxQueuedBytes`: one tally shared by its router and every pipe's buffer. Whoever admits a
 * waiting call asks `fits`; the places calls wait in `add` and `remove` what they hold.
 */
export class QueuedBytes {
  private used = 0

  /** @param limit bytes that may wait at once (a positive integer). */
  constructor(readonly limit: number) {}

  /** Bytes waiting now. */
  get bytes(): number {
    return this.used
  }

  /** True when `bytes` more would still be within the limit. */
  fits(bytes: number): boolean {
    return this.used + bytes <= this.limit
  }

  /**
   * Whether a call `name` holding `bytes` may wait: undefined when it may (it holds none, or they
   * fit), else the QUEUE_FULL HostPipeError its caller gets, naming the sizes and the limit.
   */
  admit(name: string, bytes: number): HostPipeError | undefined {
    if (bytes <= 0 || this.fits(bytes)) return undefined
    return new HostPipeError(
      'QUEUE_FULL',
      `\`${name}\` holds ${formatBytes(bytes)} bytes and ${formatBytes(this.used)} bytes ` +
        `wait in the launcher already; maxQueuedBytes is ${formatBytes(this.limit)}`,
    )
  }

  add(bytes: number): void {
    if (bytes > 0) this.used += bytes
  }

  remove(bytes: number): void {
    if (bytes > 0) this.used -= bytes
  }
}

/**
 * Commands waiting for a host, oldest first. Kept sorted by call order so a frame that comes back
 * (its write failed, its writer went away) takes its old place instead of jumping the queue.
 * Capacity is enforced by the `OutageBuffer` (`takeOverflow`), whose drops fail their sagas.
 */
export class PendingBuffer {
  private frames: OutboundCommand[] = []

  /**
   * @param capacity frames kept before `takeOverflow` drops the oldest (HostPipeOptions.capacity).
   * @param queuedBytes where the bytes of the frames held here are counted, if anywhere.
   */
  constructor(
    readonly capacity: number,
    private readonly queuedBytes?: QueuedBytes,
  ) {}

  get length(): number {
    return this.frames.length
  }

  insert(frame: OutboundCommand): void {
    this.queuedBytes?.add(frame.blockBytes)
    let i = this.frames.length
    // Almost always appends: only returning frames walk back.
    while (i > 0 && this.frames[i - 1]!.ordinal > frame.ordinal) i--
    this.frames.splice(i, 0, frame)
  }

  /**
   * Puts `frames` (in their order) ahead of everything buffered: commands retried after their host
   * was lost (docs/protocol.md#retry-on-host-loss), the one exception to call order.
   */
  insertFront(frames: readonly OutboundCommand[]): void {
    // Marked here, where they become retries: `takeOverflow` never counts nor drops them.
    for (const frame of frames) {
      frame.isHostLossRetry = true
      this.queuedBytes?.add(frame.blockBytes)
    }
    this.frames.unshift(...frames)
  }

  shift(): OutboundCommand | undefined {
    const frame = this.frames.shift()
    if (frame) this.queuedBytes?.remove(frame.blockBytes)
    return frame
  }

  /**
   * Removes and returns the oldest frames beyond `capacity` (drop-oldest: the newest stay).
   * Commands being retried after a host loss (`isHostLossRetry`) do not count and are never
   * dropped: they were admitted once and were in flight, so there are at most `maxInFlight` of
   * them, and dropping them would turn a retry into the failure it exists to avoid (a host lost
   * with 1,000 commands in flight would otherwise lose 936 of them here).
   */
  takeOverflow(): OutboundCommand[] {
    if (this.frames.length <= this.capacity) return []
    let fresh = 0
    for (const f of this.frames) if (!f.isHostLossRetry) fresh++
    let excess = fresh - this.capacity
    if (excess <= 0) return []
    if (fresh === this.frames.length) return this.untally(this.frames.splice(0, excess))
    const dropped: OutboundCommand[] = []
    this.frames = this.frames.filter((f) => {
      if (excess === 0 || f.isHostLossRetry) return true
      excess--
      dropped.push(f)
      return false
    })
    return this.untally(dropped)
  }

  some(pred: (frame: OutboundCommand) => boolean): boolean {
    return this.frames.some(pred)
  }

  removeWhere(pred: (frame: OutboundCommand) => boolean): OutboundCommand[] {
    // A host loss purges hundreds of sagas one by one, mostly with nothing buffered: no copy then.
    if (!this.frames.some(pred)) return []
    const removed: OutboundCommand[] = []
    this.frames = this.frames.filter((f) => (pred(f) ? (removed.push(f), false) : true))
    return this.untally(removed)
  }

  takeAll(): OutboundCommand[] {
    const all = this.frames
    this.frames = []
    return this.untally(all)
  }

  /** `frames` left the buffer: their bytes no longer wait. */
  private untally(frames: OutboundCommand[]): OutboundCommand[] {
    if (this.queuedBytes) for (const f of frames) this.queuedBytes.remove(f.blockBytes)
    return frames
  }
}

/** How long buffered frames may wait for a host before their sagas are failed. */
export const DISCONNECT_TIMEOUT_MS = 30_000

/**
 * The disconnect budget (docs/host-pipe.md#guarantees): one deadline at a time, `timeoutMs` from
 * when it starts. Starting it while it runs changes nothing, so a flapping host cannot push it
 * back; only `clear` (a completed drain) ends it early.
 *
 * Expiry is active: the seed checked the budget lazily, on the next send, which left sagas hanging
 * while nothing was sent. Here a timer fires `onExpire` when the budget runs out.
 */
export class ExpiryDeadline implements Disposable {
  private deadlineAt: number | null = null
  private readonly timer: TimerSlot
  private isDisposed = false

  constructor(
    private readonly clock: Clock,
    readonly timeoutMs: number,
    private readonly onExpire: () => void,
  ) {
    this.timer = new TimerSlot(clock)
  }

  /** When it fires, in the clock's time base; null while none runs. */
  get at(): number | null {
    return this.deadlineAt
  }

  /** Starts the deadline unless one runs (or this was disposed). */
  start(): void {
    if (this.deadlineAt !== null || this.isDisposed) return
    this.deadlineAt = this.clock.now() + this.timeoutMs
    this.timer.set(() => {
      this.deadlineAt = null
      this.onExpire()
    }, this.timeoutMs)
  }

  clear(): void {
    this.deadlineAt = null
    this.timer.clear()
  }

  dispose(): void {
    this.clear()
    this.isDisposed = true
  }
}

/** How an `OutageBuffer` holds frames: HostPipe's options, checked there. */
export interface OutageBufferOptions {
  /** Frames kept; beyond it the oldest is dropped. */
  readonly capacity: number
  /** The disconnect budget, in ms. */
  readonly timeoutMs: number
  /** HostPipe's `maxQueued`: with it, a connected pipe drops none (`capacity` is the outage's). */
  readonly maxQueued: number | undefined
  /** Where the bytes of the frames held here are counted, if anywhere. */
  readonly queuedBytes: QueuedBytes | undefined
}

/**
 * The outage buffer: commands waiting for a host, held within its limits
 * (docs/host-pipe.md#guarantees): `capacity` frames, drop-oldest, and the disconnect budget, which
 * starts when a host is lost (or a command is buffered with none) and ends only when a new host's
 * drain completes. What a limit drops goes to `UndeliveredFrames`, which fails its saga. HostPipe
 * decides when frames come and go; this keeps them in call order and within the limits, and
 * moves them into a writer as it has room.
 */
export class OutageBuffer implements Disposable {
  private readonly frames: PendingBuffer
  private readonly deadline: ExpiryDeadline
  private readonly maxQueued: number | undefined
  private lostAt: number | null = null

  /**
   * @param counters HostPipe's counters: `buffered` and `drained` are bumped here.
   * @param onExpire runs after the budget ran out and what was buffered was dropped.
   */
  constructor(
    opts: OutageBufferOptions,
    private readonly clock: Clock,
    private readonly undelivered: UndeliveredFrames,
    private readonly counters: HostPipeCounters,
    onExpire: () => void,
  ) {
    this.frames = new PendingBuffer(opts.capacity, opts.queuedBytes)
    this.maxQueued = opts.maxQueued
    this.deadline = new ExpiryDeadline(clock, opts.timeoutMs, () => {
      undelivered.dropExpired(this.frames, opts.timeoutMs)
      onExpire()
    })
  }

  get length(): number {
    return this.frames.length
  }

  get capacity(): number {
    return this.frames.capacity
  }

  /** The disconnect budget, in ms. */
  get timeoutMs(): number {
    return this.deadline.timeoutMs
  }

  /** When the budget runs out, in the clock's time base; null while it does not run. */
  get expiresAt(): number | null {
    return this.deadline.at
  }

  /** When the host was lost, in the clock's time base, until a new one connects; else null. */
  get disconnectedAt(): number | null {
    return this.lostAt
  }

  /** With `maxQueued`: that many commands wait, so the owner should send no more. */
  get isFull(): boolean {
    return this.maxQueued !== undefined && this.frames.length >= this.maxQueued
  }

  /** Buffers a command no host can take now, behind what waits; with no host its budget starts. */
  hold(frame: OutboundCommand, hasHost: boolean): void {
    this.counters.buffered++
    this.frames.insert(frame)
    if (!hasHost) this.deadline.start()
    this.enforceCapacity(hasHost)
  }

  /**
   * A frame whose write failed, back in its place in call order (it was not delivered, so sending
   * it again is no replay): on to `slot`, the writer that replaced the failed one, as it has room;
   * with none the budget starts. Capacity waits for `enforceCapacity`.
   */
  putBack(frame: OutboundCommand, slot: WriterSlot | undefined): void {
    this.frames.insert(frame)
    if (slot) this.pumpInto(slot)
    else this.deadline.start()
  }

  /**
   * A host's writer was handed over: the outage is over, though its budget runs until the drain
   * completes. What waits here becomes `slot`'s drain, oldest first, while it has room; the
   * caller starts the writing.
   */
  drainInto(slot: WriterSlot): void {
    this.lostAt = null
    let moved = 0
    while (this.frames.length > 0 && slot.hasRoom) {
      slot.enqueueDrainFrame(this.frames.shift()!)
      moved++
    }
    this.counters.drained += moved
  }

  /** Moves frames, oldest first, to `slot` while it is current and has room, and writes them. */
  pumpInto(slot: WriterSlot): void {
    let moved = 0
    while (slot.isCurrent && this.frames.length > 0 && slot.hasRoom) {
      slot.enqueueCommand(this.frames.shift()!)
      moved++
    }
    this.counters.drained += moved
    if (moved > 0) slot.startWriting()
  }

  holdsSaga(sagaId: number): boolean {
    return this.frames.some((f) => f.sagaId === sagaId)
  }

  /** Removes and returns the saga's buffered frames, in call order. */
  removeSaga(sagaId: number): OutboundCommand[] {
    return this.frames.removeWhere((f) => f.sagaId === sagaId)
  }

  /**
   * A host was lost: `released` (its frames not started) come back in call order, `unacked` (in
   * flight, oldest first) are retried or fail (`UndeliveredFrames.hostLost`). `isOutage`: no host
   * takes over at once, so the outage and its budget start.
   */
  hostLost(
    released: readonly OutboundCommand[],
    unacked: readonly OutboundCommand[],
    isOutage: boolean,
  ): void {
    for (const frame of released) this.frames.insert(frame)
    this.undelivered.hostLost(unacked, this.frames)
    if (isOutage) {
      this.lostAt = this.clock.now()
      this.deadline.start()
    }
    this.enforceCapacity(false)
  }

  /**
   * The drain of `slot` (a `setWriter`) settled: completed, failed midway or cut short. Only a
   * drain completed on a live writer ends the budget, so a flapping host cannot reset it.
   */
  endDrain(slot: WriterSlot): void {
    if (slot.isCurrent) this.deadline.clear()
    slot.settleDrain()
  }

  /**
   * Drops the oldest frames beyond `capacity`, failing their sagas. None with `maxQueued` while a
   * host is connected (`hasHost`): the owner then bounds what waits, and the capacity is the outage's.
   */
  enforceCapacity(hasHost: boolean): void {
    if (this.maxQueued !== undefined && hasHost) return
    this.undelivered.dropOverflow(this.frames)
  }

  /** Stops the budget; sagas of the frames still buffered fail (`host pipe disposed`). */
  dispose(): void {
    this.deadline.dispose()
    this.undelivered.failAll(this.frames.takeAll(), REASON_DISPOSED, 'cancelled')
  }
}
