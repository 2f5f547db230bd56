import { zeroHostPipeCounters, type HostPipeSnapshot } from '../../shared/diagnostics'
import {
  encodeCommandFrameMembers,
  type HostCommand,
  type ControlCommand,
  type Event,
} from '../../shared/protocol'
import { systemClock, type Clock } from '../base/clock'
import { Emitter, type Listenable } from '../base/emitter'
import { silentLogger, type Logger } from '../base/logger'
import { positiveIntOption } from '../base/integer-option'
import { createOutboundControl } from './control-frame'
import { ExpiryDeadline } from './expiry-deadline'
import { HostLossRetry } from './host-loss-retry'
import { HostPipeError, inFlightFull, staleSession } from './host-pipe-error'
import type { HostWriter } from './host-writer'
import {
  DISCONNECT_TIMEOUT_MS,
  MAX_IN_FLIGHT,
  PENDING_BUFFER_CAP,
  REASON_DISPOSED,
  REASON_EXPIRED,
  REASON_OVERFLOW,
  DEFAULT_MAX_ATTEMPTS,
  type HostPipeOptions,
  type SagaFailure,
  type SendCommandOptions,
} from './host-pipe-options'
import { InFlightCommands } from './in-flight-commands'
import {
  createOutboundCommand,
  createOutboundEvent,
  writeFailed,
  type OutboundCommand,
  type OutboundEvent,
} from './outbound-frame'
import { PendingBuffer } from './pending-buffer'
import { SagaFailures } from './saga-failures'
import { WriterSlot, type WriteLoopHooks } from './writer-slot'

/**
 * Where a saga's command is, for the saga layer: `buffered` (in the pending buffer, or queued on
 * the writer with its write not started: it can still be removed and never sent), `in-flight`
 * (its write started on the current host, which acks, and no ack covered it yet).
 */
export type SagaCommandState = 'buffered' | 'in-flight'

/**
 * The launcher → host command pipe. Buffers commands while the host is away (bounded,
 * drop-oldest), fails their sagas when it cannot deliver them, tracks what the host acked, and
 * never writes two frames at once to one writer.
 *
 * Changes from the seed (AgentMux `host_pipe`), each for a reason:
 * - Expiry is active: a timer fails buffered sagas when the budget runs out; the seed only checked
 *   on the next send, which left sagas hanging while nothing was sent.
 * - Acks: with a host that acks, a command counts as delivered when acked, not when written;
 *   unacked commands are failed when the host goes away (at-most-once, never replayed).
 * - A frame coming back to the buffer (failed write, writer gone) takes its old place in call
 *   order; the seed appended it behind newer frames.
 * - A saga is failed at most once: when one of its frames is dropped, its other buffered frames go
 *   too (they would be orphan side effects of a failed saga).
 *
 * Events: `onDidChange` (a snapshot, synchronously after every state change) and `onDidFailSaga`
 * (for the pipe's owner, the saga coordinator, before the same failure goes out through `emit`).
 * `on('change', fn)` is the contract's spelling of `onDidChange`.
 */
export class HostPipe {
  /** Unacked commands allowed on the wire (the `maxInFlight` option). */
  readonly maxInFlight: number
  /** The `maxQueued` option, if given. */
  private readonly maxQueued: number | undefined
  private readonly clock: Clock
  private readonly retry: HostLossRetry
  private readonly sagaFailures: SagaFailures
  private readonly log: Logger

  private slot: WriterSlot | undefined
  private sessionId = 0
  private readonly pending: PendingBuffer
  private readonly inFlight = new InFlightCommands()
  private nextOrdinal = 1
  private readonly deadline: ExpiryDeadline
  private disconnectedAt: number | null = null
  private readonly counters = zeroHostPipeCounters()
  private readonly didChange = new Emitter<HostPipeSnapshot>()
  private readonly hooks: WriteLoopHooks
  private isDisposed = false
  /** A `notifySoon` is queued and no notify has run since. */
  private isNotifyDue = false

  /** A snapshot, synchronously after every state change (never later on a timer). */
  readonly onDidChange: Listenable<HostPipeSnapshot> = this.didChange.event
  /** A saga this pipe failed, before its `saga_failed` goes to `emit`. */
  readonly onDidFailSaga: Listenable<SagaFailure>

  constructor(opts: HostPipeOptions) {
    this.sagaFailures = new SagaFailures(opts, this.counters, (id) => this.purgeSaga(id))
    this.onDidFailSaga = this.sagaFailures.onDidFail
    this.clock = opts.clock ?? systemClock
    this.pending = new PendingBuffer(positiveIntOption('capacity', opts.capacity, PENDING_BUFFER_CAP))
    const budgetMs = positiveIntOption('disconnectTimeoutMs', opts.disconnectTimeoutMs, DISCONNECT_TIMEOUT_MS)
    this.deadline = new ExpiryDeadline(this.clock, budgetMs, () => this.expire())
    this.maxInFlight = positiveIntOption('maxInFlight', opts.maxInFlight, MAX_IN_FLIGHT)
    this.maxQueued =
      opts.maxQueued === undefined ? undefined : positiveIntOption('maxQueued', opts.maxQueued, 0)
    const maxAttempts = positiveIntOption('maxAttempts', opts.maxAttempts, DEFAULT_MAX_ATTEMPTS)
    this.retry = new HostLossRetry(maxAttempts, opts.wallNow ?? Date.now)
    this.log = opts.log ?? silentLogger
    this.hooks = {
      beginCommandWrite: (slot, frame) => this.beginCommandWrite(slot, frame),
      commandWritten: (slot, frame) => this.onCommandWritten(slot, frame),
      commandWriteFailed: (slot, frame, err) => this.onCommandWriteFailed(slot, frame, err),
      eventWriteFailed: (slot, item, err) => this.onEventWriteFailed(slot, item, err),
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Connection

  /**
   * Hands a newly registered host's writer to the pipe: bumps and returns the session id, and
   * drains the buffer into it in FIFO order. Resolves when the drain has settled, also when it
   * failed midway (the pipe is then disconnected again, the rest still buffered in order).
   * A host that registered with feature `ack` is set with `{acks: true}`; one that also announced
   * `per_call_ack` with `{acks: true, perCall: true}`: each of its acks names one command, which
   * it may complete in any order (docs/protocol.md#acks).
   */
  setWriter(writer: HostWriter, o?: { acks?: boolean; perCall?: boolean }): Promise<number> {
    if (this.isDisposed)
      return Promise.reject(new HostPipeError('HOST_NOT_CONNECTED', 'host pipe is disposed'))
    const sessionId = ++this.sessionId
    if (this.slot) {
      this.log.info(`[host_pipe] host replaced by session ${sessionId}`)
      this.detach(this.slot, 'replaced')
    }
    const hasAcks = o?.acks === true
    this.inFlight.reset(hasAcks && o?.perCall === true)
    const slot = new WriterSlot(writer, hasAcks, this.hooks)
    this.slot = slot
    this.disconnectedAt = null
    while (this.pending.length > 0 && this.hasRoom(slot)) {
      slot.enqueueDrainFrame(this.pending.shift()!)
      this.counters.drained++
    }
    if (slot.drainSize === 0) this.completeDrain(slot)
    else this.log.info(`[host_pipe] session ${sessionId}: draining ${slot.drainSize} buffered frame(s)`)
    this.notify()
    slot.startWriting()
    return slot.drainSettled.then(() => sessionId)
  }

  /** Marks the host as gone. Synchronous and idempotent; fails unacked sagas before returning. */
  clearWriter(): void {
    if (!this.slot) return
    this.detach(this.slot, 'cleared')
    this.log.info(`[host_pipe] host disconnected: buffering commands (${this.deadline.timeoutMs} ms budget)`)
    this.notify()
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  /**
   * Sends a command, or buffers it while no host can take it. Resolves once the frame is written
   * or buffered. Rejects only with WRITE_FAILED (or SERIALIZE for a frame that cannot be encoded);
   * after WRITE_FAILED the frame is kept and will still be delivered or its saga failed.
   * `o.retry` asks for retry on host loss for this frame (see SendCommandOptions; default off).
   */
  sendCommand(cmd: HostCommand, o?: SendCommandOptions): Promise<void> {
    const frame = this.makeFrame(cmd, false, o?.retry === true)
    if (frame instanceof HostPipeError) return Promise.reject(frame)
    const slot = this.slot
    // FIFO: while anything is buffered, new frames queue behind it.
    if (slot && this.pending.length === 0 && this.hasRoom(slot)) return slot.writeCommand(frame)
    this.counters.buffered++
    this.pending.insert(frame)
    if (!this.slot) this.deadline.start()
    this.enforceCapacity()
    this.notify()
    return Promise.resolve()
  }

  /** With `maxQueued`: that many commands wait in the pipe, so the owner should send no more. */
  get isQueueFull(): boolean {
    return this.maxQueued !== undefined && this.pending.length >= this.maxQueued
  }

  /**
   * Fail-fast send (the seed's `try_send_command_no_buffer`): rejects at once HOST_NOT_CONNECTED
   * while disconnected and BUFFER_OVERFLOW while `maxInFlight` commands are unacked (HostPipe behaviour 10, docs/host-pipe.md#guarantees;
   * it may not wait in the buffer), WRITE_FAILED on a failed write. Either way the frame is gone.
   */
  trySendCommandNoBuffer(cmd: HostCommand): Promise<void> {
    const slot = this.slot
    if (!slot) return Promise.reject(new HostPipeError('HOST_NOT_CONNECTED', 'host not connected'))
    if (!this.hasRoom(slot)) return Promise.reject(inFlightFull(this.maxInFlight, cmd.cmd))
    const frame = this.makeFrame(cmd, true)
    if (frame instanceof HostPipeError) return Promise.reject(frame)
    return slot.writeCommand(frame)
  }

  /**
   * Writes a raw event to the host of `sessionId`. Rejects STALE_SESSION when a newer host has
   * registered since (the caller, an old fanout, should stop); resolves without writing while
   * disconnected: events are never buffered.
   */
  sendEventForSession(sessionId: number, e: Event): Promise<void> {
    if (sessionId !== this.sessionId) {
      this.counters.staleSession++
      this.notify()
      return Promise.reject(staleSession(sessionId, this.sessionId))
    }
    const slot = this.slot
    if (!slot) return Promise.resolve()
    const item = createOutboundEvent(e)
    if (item instanceof HostPipeError) return Promise.reject(item)
    return slot.writeRaw(item)
  }

  /**
   * Writes a control frame (docs/protocol.md#control-frames: `probe_ui_thread`, `cancel_saga`) to the current
   * host: the command envelope without `seq`, never buffered, never in flight, not counted as a
   * command, so the buffer and command arithmetic stay exact. It queues behind frames already
   * queued on the writer (writes never interleave). Rejects HOST_NOT_CONNECTED at once while no
   * host is connected (the frame is gone); a failed write is handled as a failed event write
   * (WRITE_FAILED, the writer is cleared). Resolves without writing if the writer goes away first.
   */
  sendControl(cmd: ControlCommand): Promise<void> {
    const slot = this.slot
    if (this.isDisposed || !slot)
      return Promise.reject(
        new HostPipeError('HOST_NOT_CONNECTED', `host not connected: ${cmd.cmd} not sent`),
      )
    const item = createOutboundControl(cmd)
    if (item instanceof HostPipeError) return Promise.reject(item)
    return slot.writeRaw(item)
  }

  /**
   * Where the saga's command is (see SagaCommandState), or undefined when HostPipe holds none of
   * its frames (never sent, acked, failed, removed, or written to a host without acks). The saga
   * layer asks this when a saga times out: a buffered command is removed and failed, an in-flight
   * one on a deadline-aware host is left to the host's verdict. Costs one walk of what is held
   * (≤ capacity + maxInFlight frames).
   */
  sagaCommandState(sagaId: number): SagaCommandState | undefined {
    if (this.pending.some((f) => f.sagaId === sagaId) || this.slot?.hasQueuedSaga(sagaId)) return 'buffered'
    return this.inFlight.hasSaga(sagaId) ? 'in-flight' : undefined
  }

  // ---------------------------------------------------------------------------------------------
  // Acks and cancellation

  /**
   * The host executed the command with this seq and everything written to it before (cumulative,
   * in arrival order); with a per-call host, that command alone. A seq not in flight is ignored
   * and counted. A per-call host's acks notify once per turn, not once each: its reports carry
   * them, one per call.
   */
  ack(seq: number): void {
    const slot = this.slot
    const acked = slot?.hasAcks ? this.inFlight.ack(seq) : 0
    if (!slot || acked === 0) {
      this.counters.ignoredAcks++
      this.log.debug(`[host_pipe] ignored ack for seq ${seq}: not in flight`)
      this.notify()
      return
    }
    this.counters.acked += acked
    this.pumpPending(slot)
    if (this.inFlight.isPerCall) this.notifySoon()
    else this.notify()
  }

  /**
   * Removes the saga's frames that were not yet written and returns how many. Its frames already
   * in flight stay tracked (their acks still count) but will never be failed.
   */
  cancelSaga(sagaId: number): number {
    const removed = this.purgeSaga(sagaId)
    if (removed > 0) {
      this.log.info(`[host_pipe] cancelSaga(${sagaId}) purged ${removed} buffered frame(s)`)
      this.notify()
    }
    return removed
  }

  // ---------------------------------------------------------------------------------------------
  // Observation and lifetime

  snapshot(): HostPipeSnapshot {
    return {
      connected: this.slot !== undefined,
      sessionId: this.sessionId,
      pending: this.pending.length,
      capacity: this.pending.capacity,
      inFlight: this.inFlight.length + (this.slot?.queuedCommands ?? 0),
      disconnectedAt: this.disconnectedAt,
      expiresAt: this.deadline.at,
      counters: { ...this.counters },
    }
  }

  /**
   * The spelling of `onDidChange` in the documented HostPipe API (docs/host-pipe.md): calls `fn` synchronously after every state
   * change and returns the unsubscribe function. Throws a TypeError for any event but 'change'.
   */
  on(event: 'change', fn: (s: HostPipeSnapshot) => void): () => void {
    if (event !== 'change') throw new TypeError(`unknown HostPipe event ${String(event)}`)
    const subscription = this.onDidChange(fn)
    return () => subscription.dispose()
  }

  /**
   * Clears the timer and listeners. Commands not yet delivered have their sagas failed
   * (`host pipe disposed`): shutting down is no excuse for silent loss.
   */
  dispose(): void {
    if (this.isDisposed) return
    if (this.slot) this.detach(this.slot, 'disposed')
    this.deadline.dispose()
    this.sagaFailures.failAll(this.pending.takeAll(), REASON_DISPOSED, 'cancelled')
    this.isDisposed = true
    this.notify()
    this.didChange.dispose()
    this.sagaFailures.dispose()
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private makeFrame(cmd: HostCommand, noBuffer: boolean, retry = false): OutboundCommand | HostPipeError {
    if (this.isDisposed) return new HostPipeError('HOST_NOT_CONNECTED', 'host pipe is disposed')
    return createOutboundCommand(cmd, this.nextOrdinal++, noBuffer, retry)
  }

  private hasRoom(slot: WriterSlot): boolean {
    return this.inFlight.length + slot.queuedCommands < this.maxInFlight
  }

  /** Moves buffered frames to the writer as room frees up (acks, or writes without acks). */
  private pumpPending(slot: WriterSlot): void {
    let moved = false
    while (slot.isCurrent && this.pending.length > 0 && this.hasRoom(slot)) {
      slot.enqueueCommand(this.pending.shift()!)
      this.counters.drained++
      moved = true
    }
    if (moved) slot.startWriting()
  }

  // Write-loop hooks (see WriterSlot).

  private beginCommandWrite(slot: WriterSlot, frame: OutboundCommand): string {
    return encodeCommandFrameMembers(this.inFlight.beginWrite(frame, slot.hasAcks), frame.members)
  }

  private onEventWriteFailed(slot: WriterSlot, item: OutboundEvent, err: unknown): void {
    this.counters.writeFailures++
    this.log.warn(`[host_pipe] event write failed: ${String(err)}`)
    if (slot.isCurrent) this.detach(slot, 'write failed')
    this.notify()
    const waiter = item.waiter
    item.waiter = undefined
    waiter?.reject(writeFailed(err))
  }

  private onCommandWritten(slot: WriterSlot, frame: OutboundCommand): void {
    this.counters.sent++
    const waiter = frame.waiter
    frame.waiter = undefined
    waiter?.resolve()
    // Most writes are not part of a drain: the drain's set is only looked at while there is one.
    const wasDrainStep = slot.isDraining && slot.isDrainFrame(frame)
    if (wasDrainStep && slot.leaveDrain(frame)) this.completeDrain(slot)
    // Without acks a written frame is delivered, so its room frees now.
    if (!slot.hasAcks) this.pumpPending(slot)
    // With acks a plain write changes nothing but the `sent` counter, so a burst of writes
    // notifies once, after its last command, instead of building a snapshot per command (the
    // costliest part of a send). Every other change here still notifies at once.
    if (slot.hasAcks && !wasDrainStep) {
      if (slot.queuedCommands > 0) return
      // A caller waiting for this write resumes after it: listeners hear first, as they always
      // did. A write that completed inside `sendCommand` is one of a burst still being sent.
      if (waiter) this.notify()
      else this.notifySoon()
      return
    }
    this.notify()
  }

  private onCommandWriteFailed(slot: WriterSlot, frame: OutboundCommand, err: unknown): void {
    this.counters.writeFailures++
    this.log.warn(`[host_pipe] write of seq ${frame.seq} failed: ${String(err)}`)
    // With acks, a frame no longer in flight was acked or already failed when its host went away:
    // it must not be sent again. One write at a time, so a frame still in flight is the newest.
    const wasTracked = this.inFlight.removeNewest(frame)
    const isTerminal = frame.settled || (slot.hasAcks && !wasTracked)
    const waiter = frame.waiter
    frame.waiter = undefined
    slot.leaveDrain(frame)
    // Detaching ends the drain; a slot detached earlier had its drain ended then.
    if (slot.isCurrent) this.detach(slot, 'write failed')
    if (!isTerminal && !frame.noBuffer) {
      // Not delivered, so sending it again is not a replay: it takes its old place in the queue,
      // and goes straight to a writer that replaced the failed one.
      this.pending.insert(frame)
      if (this.slot) this.pumpPending(this.slot)
      else this.deadline.start()
      this.enforceCapacity()
    }
    this.notify()
    waiter?.reject(writeFailed(err))
  }

  /** The drain of a `setWriter` settled: if it completed on a live writer, the deadline ends. */
  private completeDrain(slot: WriterSlot): void {
    if (slot.isCurrent) this.deadline.clear()
    slot.settleDrain()
  }

  /**
   * A writer stops being current. Unstarted frames go back to the buffer in call order; unacked
   * frames in flight have their sagas failed (never re-sent: the host may have executed them).
   */
  private detach(slot: WriterSlot, why: 'cleared' | 'replaced' | 'write failed' | 'disposed'): void {
    if (this.slot === slot) this.slot = undefined
    for (const frame of slot.release()) this.pending.insert(frame)
    const { retried, lost } = this.retry.triage(this.inFlight.takeAll())
    if (retried.length > 0) {
      // Ahead of everything buffered (docs/protocol.md#retry-on-host-loss): they were sent before any of it.
      this.pending.insertFront(retried)
      this.log.info(`[host_pipe] host lost: retrying ${retried.length} command(s) on the next host`)
    }
    this.counters.failedBeforeAck += lost.length
    for (const frame of lost) this.sagaFailures.failAll([frame], this.retry.lostReason(frame))
    if (why === 'cleared' || why === 'write failed') {
      this.disconnectedAt = this.clock.now()
      this.deadline.start()
    }
    this.enforceCapacity()
    if (slot.isDraining) this.completeDrain(slot)
  }

  /** Drop-oldest: the newest frame is always kept. */
  private enforceCapacity(): void {
    // With `maxQueued`, a connected pipe holds what waits: the capacity is the outage buffer's.
    if (this.maxQueued !== undefined && this.slot) return
    for (const dropped of this.pending.takeOverflow()) {
      this.counters.droppedOverflow++
      if (dropped.sagaId === undefined)
        this.log.warn(`[host_pipe] buffer full: dropped a ${dropped.cmd.cmd} command (no saga to fail)`)
      this.sagaFailures.failAll([dropped], REASON_OVERFLOW)
    }
  }

  /** The budget ran out: every buffered frame is dropped and its saga failed. */
  private expire(): void {
    const dropped = this.pending.takeAll()
    this.counters.droppedExpired += dropped.length
    if (dropped.length > 0)
      this.log.warn(
        `[host_pipe] no host for ${this.deadline.timeoutMs} ms: dropping ${dropped.length} buffered frame(s)`,
      )
    this.sagaFailures.failAll(dropped, REASON_EXPIRED)
    this.notify()
  }

  /** Removes a saga's unwritten frames and marks its in-flight ones settled; returns how many went. */
  private purgeSaga(sagaId: number): number {
    const slot = this.slot
    // Every call's end comes here, almost always with nothing of its saga left unwritten.
    if (this.pending.length === 0 && (!slot || slot.queue.length === 0)) {
      this.inFlight.settleSaga(sagaId)
      return 0
    }
    const removed: OutboundCommand[] = this.pending.removeWhere((f) => f.sagaId === sagaId)
    if (slot) {
      const queued = slot.removeSagaCommands(sagaId)
      removed.push(...queued.removed)
      if (queued.drainEnded) this.completeDrain(slot)
    }
    for (const frame of removed) frame.settled = true
    this.inFlight.settleSaga(sagaId)
    this.counters.cancelled += removed.length
    return removed.length
  }

  private notify(): void {
    this.isNotifyDue = false
    // A snapshot per change is the costliest part of a send: none is built for nobody.
    if (this.didChange.hasListeners) this.didChange.fire(this.snapshot())
  }

  /**
   * Notifies once the caller's turn is over: sends written at once (one `sendCommand` after the
   * other, each completing its write before it returns) then cost one snapshot per burst, not one
   * per command. A microtask, not a timer: listeners still hear before any I/O or timer runs, and
   * a synchronous notify in between makes this one a no-op.
   */
  private notifySoon(): void {
    if (this.isNotifyDue || !this.didChange.hasListeners) return
    this.isNotifyDue = true
    queueMicrotask(this.notifyIfDue)
  }

  private readonly notifyIfDue = (): void => {
    if (this.isNotifyDue) this.notify()
  }
}
