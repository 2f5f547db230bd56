import type { Event } from '../../shared/protocol'
import type { HostPipeCounters } from '../../shared/diagnostics'
import { Emitter, type Listenable } from '../base/emitter'
import type { Logger } from '../base/logger'
import type { OutboundCommand } from './outbound-frames'
import type { PendingBuffer } from './pending-buffer'

// What becomes of a frame HostPipe cannot deliver, and the reasons its saga fails with: apart
// from outbound-frames.ts because a delivered call never comes here.

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
 * HostPipe and its `OutageBuffer` decide when; this fails their sagas, at most once per saga, and
 * tells who needs to know: first the owner (`onDidFail`), then the bus (a `saga_failed` event
 * through `emit`) if the pipe was given one; an owner that publishes outcomes itself gives none.
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
