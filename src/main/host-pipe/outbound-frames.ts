import type { Clock } from '../base/clock'
import type { Deferred } from '../base/deferred'
import type { Disposable } from '../base/disposable'
import type { Logger } from '../base/logger'
import { Emitter, type Listenable } from '../base/emitter'
import { TimerSlot } from '../base/timer-slot'
import type { HostPipeCounters } from '../../shared/diagnostics'
import { holdsBytes, splitJson } from '../../shared/byte-value'
import { encodeMembers, STOPPED } from '../../shared/json-members'
import {
  encodeControlFrame,
  encodeEvent,
  exceedsFrameLimit,
  formatBytes,
  MAX_FRAME_BYTES,
  sagaIdOf,
  utf8ByteLength,
  type ControlCommand,
  type HostCommand,
  type Event,
} from '../../shared/protocol'
import { HostPipeError } from './host-pipe-error'

// A host-bound frame on its way through HostPipe: made once (`createOutboundCommand`), it waits in
// the `PendingBuffer` while no host can take it (under the `ExpiryDeadline`), then is written by a
// `WriterSlot` and tracked in `InFlightCommands` until acked (writer-slot.ts). `UndeliveredFrames`
// says what becomes of one that cannot be delivered.

/**
 * Room for the envelope (`{"kind":"command","seq":…,` and `}`) added at write time: counted in a
 * command's encoded size (docs/protocol.md#payload-size).
 */
export const ENVELOPE_BYTES = 48

/**
 * One host-bound command on its way: in the pending buffer, queued on a writer, or in flight.
 * The same object moves between those places, so nothing is serialised twice.
 */
export interface OutboundCommand {
  readonly type: 'command'
  /** Call order across the pipe's life: the pending buffer is kept sorted by it. */
  readonly ordinal: number
  readonly cmd: HostCommand
  /**
   * `JSON.stringify(cmd)`'s members, each preceded by a comma (`,"cmd":"reap_panes"`), computed
   * once at send time (`encodeMembers`): the envelope goes around them at write
   * time.
   */
  readonly members: string
  /**
   * The command's byte blocks when it holds any (docs/protocol.md#byte-frames): `members` then
   * has `null` where each block sits, `paths` is the JSON of their paths, and the command is
   * written as a byte frame. Undefined for the usual command, written as a line.
   */
  readonly blocks?: Uint8Array[]
  readonly paths?: string
  /** The bytes of `blocks`, for what counts queued bytes; 0 without blocks. */
  readonly blockBytes: number
  readonly sagaId: number | undefined
  /** Fail-fast probe (`trySendCommandNoBuffer`): never buffered, never re-sent. */
  readonly noBuffer: boolean
  /** Assigned when its write starts (0 before): the `seq` of its HostFrame envelope. */
  seq: number
  /**
   * The caller still waiting for this frame to be written; none when nobody waits (its write
   * completed before `sendCommand` returned, or it was buffered).
   */
  waiter: Deferred<void> | undefined
  /** Its saga was already failed or cancelled: it will never be failed (again) or re-sent. */
  settled: boolean
  /** The caller asked for retry on host loss (`sendCommand(cmd, {retry})`). */
  readonly retry: boolean
  /** Writes started so far (each to a host, with its own `seq`). */
  attempts: number
  /**
   * Going again after its host was lost with it in flight (docs/protocol.md#retry-on-host-loss):
   * it goes ahead of the buffer and never counts toward its capacity. Not set for a frame whose
   * write merely failed.
   */
  isHostLossRetry: boolean
}

/** A raw event queued on a writer (events are never buffered). */
export interface OutboundEvent {
  readonly type: 'event'
  readonly line: string
  /** The caller waiting for its write; none when the write completed before the call returned. */
  waiter: Deferred<void> | undefined
}

export type Outbound = OutboundCommand | OutboundEvent

/**
 * Serialises `cmd` once, for its whole way through the pipe. Returns (never throws) a SERIALIZE
 * HostPipeError when it does not serialise to a JSON object, or a PAYLOAD_TOO_LARGE one when its
 * frame would take more than `maxPayloadBytes` (default MAX_FRAME_BYTES) once enveloped: the size
 * is read off the text already made, its length first, UTF-8 counted only near the limit.
 * `ordinal` is its place in call order. `knownBlockBytes`: what `byteBlocksLength` said of `cmd`
 * when the caller measured it already (−1: no bytes), so the command is not walked again.
 */
export function createOutboundCommand(
  cmd: HostCommand,
  ordinal: number,
  noBuffer: boolean,
  retry = false,
  maxPayloadBytes: number = MAX_FRAME_BYTES,
  knownBlockBytes?: number,
): OutboundCommand | HostPipeError {
  let members: string | undefined
  let split: { paths: string; blocks: Uint8Array[] } | undefined
  let blockBytes = 0
  try {
    // Bytes are looked for only in nested members, as the encoder meets them: a flat command
    // costs no extra walk. A call the router measured is known to hold them.
    members =
      knownBlockBytes === undefined
        ? encodeMembers(cmd, holdsBytes)
        : knownBlockBytes >= 0
          ? STOPPED
          : encodeMembers(cmd)
    if (members === STOPPED) {
      const parts = splitJson(cmd)
      members = parts.json.length > 2 ? ',' + parts.json.slice(1, -1) : ''
      split = parts
      for (const block of parts.blocks) blockBytes += block.byteLength
    }
  } catch (err) {
    return new HostPipeError('SERIALIZE', `command failed to serialise: ${String(err)}`, { cause: err })
  }
  if (members === undefined) return new HostPipeError('SERIALIZE', 'command must serialise to a JSON object')
  // A byte frame's own overhead: its lengths, and the header's `b` with the paths.
  const frameOverhead = split ? 9 + 4 * split.blocks.length + 12 + split.paths.length : 0
  const room = maxPayloadBytes - ENVELOPE_BYTES - blockBytes - frameOverhead
  if (room < 0 || exceedsFrameLimit(members, room))
    return new HostPipeError(
      'PAYLOAD_TOO_LARGE',
      `input of \`${cmd.cmd}\` is ${formatBytes(utf8ByteLength(members) + ENVELOPE_BYTES + blockBytes + frameOverhead)} bytes once encoded; ` +
        `maxPayloadBytes is ${formatBytes(maxPayloadBytes)}`,
    )
  return {
    type: 'command',
    ordinal,
    cmd,
    members,
    blocks: split?.blocks,
    paths: split?.paths,
    blockBytes,
    sagaId: sagaIdOf(cmd),
    noBuffer,
    seq: 0,
    waiter: undefined,
    settled: false,
    retry,
    attempts: 0,
    isHostLossRetry: false,
  }
}

/** A raw event for a writer's queue, or a SERIALIZE HostPipeError (never throws). */
export function createOutboundEvent(e: Event): OutboundEvent | HostPipeError {
  try {
    return { type: 'event', line: encodeEvent(e), waiter: undefined }
  } catch (err) {
    return new HostPipeError('SERIALIZE', `event failed to serialise: ${String(err)}`, { cause: err })
  }
}

/** The WRITE_FAILED error a caller gets when its frame's write failed. */
export function writeFailed(err: unknown): HostPipeError {
  return new HostPipeError('WRITE_FAILED', `write to host pipe failed: ${String(err)}`, { cause: err })
}

/**
 * A control frame (docs/protocol.md#control-frames: `probe_ui_thread`, `cancel_saga`) ready for a
 * writer's queue, or a SERIALIZE HostPipeError naming the command (never throws). It is the command envelope
 * without `seq`, queued as a raw line, as an event is: the write loop treats both alike, so it is
 * never buffered, never in flight and not counted as a command.
 */
export function createOutboundControl(cmd: ControlCommand): OutboundEvent | HostPipeError {
  try {
    return { type: 'event', line: encodeControlFrame(cmd), waiter: undefined }
  } catch (err) {
    return new HostPipeError('SERIALIZE', `${cmd.cmd} failed to serialise: ${String(err)}`, { cause: err })
  }
}

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
 * Capacity is enforced by HostPipe (`takeOverflow`), which has to fail the dropped frame's saga.
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

/** `saga_failed` reasons, as AgentMux spells them (observers filter on the `host pipe` prefix). */
export const REASON_OVERFLOW = 'host pipe backpressure overflow'
export const REASON_EXPIRED = 'host unreachable'
export const REASON_BEFORE_ACK = 'host disconnected before ack'
export const REASON_DISPOSED = 'host pipe disposed'
/** A retryable command in flight on every host it reached, each lost before its ack. */
export const reasonLostWhileExecuting = (attempts: number): string =>
  `host lost while executing (${attempts} attempt${attempts === 1 ? '' : 's'})`

/** HostPipe failed a saga (and emitted its `saga_failed`): overflow, expiry, host gone before the ack. */
export interface SagaFailure {
  readonly sagaId: number
  readonly reason: string
}

/** Attempts a retryable command gets, the first included (docs/protocol.md#retry-on-host-loss). */
export const DEFAULT_MAX_ATTEMPTS = 2

/**
 * What becomes of the frames HostPipe cannot deliver: dropped from a full buffer, expired, lost in
 * flight with their host (retried, docs/protocol.md#retry-on-host-loss, or lost), or disposed.
 * HostPipe decides when; this fails their sagas, at most once per saga, and tells who needs to
 * know: first the owner (`onDidFail`), then the bus (a `saga_failed` event through `emit`) if the
 * pipe was given one; an owner that publishes outcomes itself gives none.
 */
export class UndeliveredFrames {
  private readonly didFail = new Emitter<SagaFailure>()
  /** A saga HostPipe failed, before its `saga_failed` goes to `emit`. */
  readonly onDidFail: Listenable<SagaFailure> = this.didFail.event
  private readonly emit: ((e: Event) => void) | undefined
  private readonly nextVersion: () => number
  private readonly wallNow: () => number

  /**
   * @param opts HostPipe's `emit`, `nextVersion` (HostPipe checks it comes with `emit`), `wallNow`.
   * @param maxAttempts writes allowed per retryable frame, the first one included (≥ 1).
   * @param counters HostPipe's counters, bumped here for what is dropped, lost or failed.
   * @param purgeSaga removes a saga's unwritten frames and settles its in-flight ones (HostPipe's).
   */
  constructor(
    opts: { emit?(e: Event): void; nextVersion?(): number; wallNow?: () => number },
    private readonly maxAttempts: number,
    private readonly log: Logger,
    private readonly counters: HostPipeCounters,
    private readonly purgeSaga: (sagaId: number) => void,
  ) {
    this.emit = opts.emit
    this.nextVersion = opts.nextVersion ?? (() => 0)
    this.wallNow = opts.wallNow ?? Date.now
  }

  /** Drop-oldest beyond the buffer's capacity: the newest frame is always kept. */
  dropOverflow(pending: PendingBuffer): void {
    for (const dropped of pending.takeOverflow()) {
      this.counters.droppedOverflow++
      if (dropped.sagaId === undefined)
        this.log.warn(`[host_pipe] buffer full: dropped a ${dropped.cmd.cmd} command (no saga to fail)`)
      this.failAll([dropped], REASON_OVERFLOW)
    }
  }

  /** The disconnect budget ran out: every buffered frame is dropped and its saga failed. */
  dropExpired(pending: PendingBuffer, timeoutMs: number): void {
    const dropped = pending.takeAll()
    this.counters.droppedExpired += dropped.length
    if (dropped.length > 0)
      this.log.warn(`[host_pipe] no host for ${timeoutMs} ms: dropping ${dropped.length} buffered frame(s)`)
    this.failAll(dropped, REASON_EXPIRED)
  }

  /**
   * A host was lost with `unacked` in flight (oldest first). A retryable one with attempts and time
   * left goes again, ahead of everything buffered (it was sent before any of it). The others are
   * never re-sent (the host may have run them) and fail their sagas unless settled: those sent
   * without retry first (REASON_BEFORE_ACK), then retryable ones out of attempts or time; each
   * part in write order.
   */
  hostLost(unacked: readonly OutboundCommand[], pending: PendingBuffer): void {
    // One pass: a host lost with a full window holds 1,024 of them, and this runs in the failover.
    const retried: OutboundCommand[] = []
    const lostPlain: OutboundCommand[] = []
    const lostRetryable: OutboundCommand[] = []
    for (const f of unacked) {
      if (this.canRetry(f)) retried.push(f)
      else (f.retry ? lostRetryable : lostPlain).push(f)
    }
    const lost = lostRetryable.length === 0 ? lostPlain : [...lostPlain, ...lostRetryable]
    if (retried.length > 0) {
      pending.insertFront(retried)
      this.log.info(`[host_pipe] host lost: retrying ${retried.length} command(s) on the next host`)
    }
    this.counters.failedBeforeAck += lost.length
    for (const frame of lost)
      this.failAll([frame], frame.retry ? reasonLostWhileExecuting(frame.attempts) : REASON_BEFORE_ACK)
  }

  /**
   * Fails the sagas of `frames`, once per saga: a saga's other unwritten frames are purged and its
   * in-flight ones marked settled, so no saga gets a second `saga_failed` from here. Frames
   * already settled, and frames of no saga, fail nothing. `countAs` counts every frame given.
   */
  failAll(frames: readonly OutboundCommand[], reason: string, countAs?: 'cancelled'): void {
    for (const frame of frames) {
      if (countAs) this.counters[countAs]++
      if (frame.settled) continue
      frame.settled = true
      const sagaId = frame.sagaId
      if (sagaId === undefined) continue
      this.counters.sagaFailed++
      // The owner hears first (it closes the saga), then the bus publishes the event.
      this.didFail.fire({ sagaId, reason })
      this.emit?.({ event: 'saga_failed', saga_id: sagaId, reason, version: this.nextVersion() })
      this.purgeSaga(sagaId)
    }
  }

  /** Drops the owner's listeners. */
  dispose(): void {
    this.didFail.dispose()
  }

  /** A retryable frame lost in flight goes again while it has attempts and time left. */
  private canRetry(frame: OutboundCommand): boolean {
    if (!frame.retry || frame.settled || frame.attempts >= this.maxAttempts) return false
    const deadline = (frame.cmd as { deadline?: unknown }).deadline
    return typeof deadline !== 'number' || deadline > this.wallNow()
  }
}
