import { zeroHostPipeCounters, type HostPipeSnapshot } from '../../shared/diagnostics'
import type { HostCommand, ControlCommand, Event } from '../../shared/protocol'
import { MAX_FRAME_BYTES } from '../../shared/protocol-core'
import { systemClock, type Clock } from '../base/clock'
import { Emitter, type Listenable } from '../base/emitter'
import { silentLogger, type Logger } from '../base/logger'
import { positiveIntOption } from '../base/integer-option'
import { HostPipeError, inFlightFull, staleSession } from './host-pipe-error'
import {
  createOutboundCommand,
  createOutboundControl,
  createOutboundEvent,
  InFlightCommands,
  MAX_IN_FLIGHT,
  writeFailed,
  type OutboundCommand,
  type Outbound,
  type SagaCommandState,
  type SendCommandOptions,
} from './outbound-frames'
import { DISCONNECT_TIMEOUT_MS, OutageBuffer, PENDING_BUFFER_CAP, type QueuedBytes } from './pending-buffer'
import { DEFAULT_MAX_ATTEMPTS, UndeliveredFrames, type SagaFailure } from './undelivered-frames'
import { WriterSlot, type HostWriter, type WriteLoopHooks } from './writer-slot'

export interface HostPipeOptions {
  /** Where `saga_failed` events go, after `onDidFailSaga`; none when the owner publishes them itself. */
  emit?(e: Event): void
  /** The bus's monotonic version counter, for the events given to `emit`. Required with `emit`. */
  nextVersion?(): number
  /** Default: the wall clock. */
  clock?: Clock
  /** Default: PENDING_BUFFER_CAP (64). */
  capacity?: number
  /** Default: DISCONNECT_TIMEOUT_MS (30 s). */
  disconnectTimeoutMs?: number
  /** Default: MAX_IN_FLIGHT (1024). */
  maxInFlight?: number
  /**
   * Commands that may wait in the pipe at once (`isQueueFull`); a connected pipe then drops none
   * (`capacity` applies only without a host). Default: none (commands beyond `maxInFlight` wait in
   * the buffer under its capacity, as in the seed).
   */
  maxQueued?: number
  /** Attempts for a command sent with `{retry: true}`, the first included. Default 2. */
  maxAttempts?: number
  /** The wall clock a command's `deadline` is in (epoch ms). Default Date.now. */
  wallNow?: () => number
  /**
   * The most one command frame may take once encoded, envelope included, in bytes: a larger one
   * is refused by `sendCommand` with PAYLOAD_TOO_LARGE, nothing sent. Default MAX_FRAME_BYTES
   * (1 MiB); the launcher passes its `maxPayloadBytes`.
   */
  maxPayloadBytes?: number
  /**
   * Where the bytes of buffered commands (their `Uint8Array`s) are counted: the owner's
   * `maxQueuedBytes` tally, shared with its other pipes. The owner admits; the pipe only counts.
   * Default: not counted.
   */
  queuedBytes?: QueuedBytes
  /** Default: silent. */
  log?: Logger
}

/**
 * The launcher → host command pipe: buffers commands while the host is away (bounded,
 * drop-oldest), fails their sagas when it cannot deliver them (once per saga), tracks acks, and
 * never writes two frames at once. Its guarantees: docs/host-pipe.md#guarantees.
 *
 * A command's way: `sendCommand` makes its frame (outbound-frames.ts); the host's `WriterSlot`
 * writes it (writer-slot.ts), giving it a seq and tracking it in flight, or it waits in the
 * `OutageBuffer` (pending-buffer.ts); `ack` untracks it. A lost host (`detach`) hands back its
 * unwritten frames; `UndeliveredFrames` retries or fails its unacked ones.
 * @category HostPipe
 */
export class HostPipe {
  /** Unacked commands allowed on the wire (the `maxInFlight` option). */
  readonly maxInFlight: number
  private readonly maxPayloadBytes: number
  private readonly clock: Clock
  private readonly log: Logger
  private readonly undelivered: UndeliveredFrames

  private slot: WriterSlot | undefined
  private sessionId = 0
  private readonly outage: OutageBuffer
  private readonly inFlight = new InFlightCommands()
  private nextOrdinal = 1
  private readonly counters = zeroHostPipeCounters()
  private readonly didChange = new Emitter<HostPipeSnapshot>()
  private readonly didChangeConnected = new Emitter<boolean>()
  private readonly hooks: WriteLoopHooks = {
    commandWritten: (slot, frame) => this.onCommandWritten(slot, frame),
    commandWriteFailed: (slot, frame, err) => this.onWriteFailed(slot, frame, err),
    commandRefused: (slot, frame, reason) => this.onCommandRefused(slot, frame, reason),
    eventWriteFailed: (slot, item, err) => this.onWriteFailed(slot, item, err),
  }
  private isDisposed = false
  /** A `notifySoon` is queued and no notify has run since. */
  private isNotifyDue = false

  /** A snapshot, synchronously after every state change (never later on a timer). */
  readonly onDidChange: Listenable<HostPipeSnapshot> = this.didChange.event
  /** A host's writer was handed over (true) or went (false); cheaper than `onDidChange`. */
  readonly onDidChangeConnected: Listenable<boolean> = this.didChangeConnected.event
  /** A saga this pipe failed, before its `saga_failed` goes to `emit`. */
  readonly onDidFailSaga: Listenable<SagaFailure>

  /** RangeError for an option that is not a positive integer; TypeError for `emit` without `nextVersion`. */
  constructor(opts: HostPipeOptions) {
    if (opts.emit && !opts.nextVersion) throw new TypeError('HostPipe: `emit` needs `nextVersion`')
    this.clock = opts.clock ?? systemClock
    const capacity = positiveIntOption('capacity', opts.capacity, PENDING_BUFFER_CAP)
    const budgetMs = positiveIntOption('disconnectTimeoutMs', opts.disconnectTimeoutMs, DISCONNECT_TIMEOUT_MS)
    this.maxInFlight = positiveIntOption('maxInFlight', opts.maxInFlight, MAX_IN_FLIGHT)
    const maxQueued =
      opts.maxQueued === undefined ? undefined : positiveIntOption('maxQueued', opts.maxQueued, 0)
    const maxAttempts = positiveIntOption('maxAttempts', opts.maxAttempts, DEFAULT_MAX_ATTEMPTS)
    this.maxPayloadBytes = positiveIntOption('maxPayloadBytes', opts.maxPayloadBytes, MAX_FRAME_BYTES)
    this.log = opts.log ?? silentLogger
    const purgeSaga = (sagaId: number): number => this.purgeSaga(sagaId)
    this.undelivered = new UndeliveredFrames(opts, maxAttempts, this.log, this.counters, purgeSaga)
    this.onDidFailSaga = this.undelivered.onDidFail
    const outage = { capacity, timeoutMs: budgetMs, maxQueued, queuedBytes: opts.queuedBytes }
    this.outage = new OutageBuffer(outage, this.clock, this.undelivered, this.counters, () => this.notify())
  }

  /**
   * Hands a registered host's writer to the pipe and drains the buffer into it in FIFO order;
   * resolves with the new session id once the drain settled (also when it failed midway). `acks`:
   * the host announced `ack`; `perCall`: also `per_call_ack` (docs/protocol.md#acks).
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
    const slot = new WriterSlot(writer, hasAcks, this.inFlight, this.maxInFlight, this.hooks)
    this.slot = slot
    this.outage.drainInto(slot)
    if (slot.drainSize === 0) this.outage.endDrain(slot)
    else this.log.info(`[host_pipe] session ${sessionId}: draining ${slot.drainSize} buffered frame(s)`)
    this.notify()
    this.didChangeConnected.fire(true)
    slot.startWriting()
    return slot.drainSettled.then(() => sessionId)
  }

  /** Marks the host as gone. Synchronous and idempotent; fails unacked sagas before returning. */
  clearWriter(): void {
    if (!this.slot) return
    this.detach(this.slot, 'cleared')
    this.log.info(`[host_pipe] host disconnected: buffering commands (${this.outage.timeoutMs} ms budget)`)
    this.notify()
  }

  /**
   * Sends a command, or buffers it while no host can take it; resolves once written or buffered.
   * Rejects with SERIALIZE (not encodable), PAYLOAD_TOO_LARGE (over `maxPayloadBytes`) or
   * HOST_NOT_CONNECTED (disposed), nothing kept; or with WRITE_FAILED, the frame kept, still to be
   * delivered or its saga failed.
   */
  sendCommand(cmd: HostCommand, o?: SendCommandOptions): Promise<void> {
    const frame = this.makeFrame(cmd, false, o?.retry === true, o?.blockBytes)
    if (frame instanceof HostPipeError) return Promise.reject(frame)
    const slot = this.slot
    // FIFO: while anything is buffered, new frames queue behind it.
    if (slot && this.outage.length === 0 && slot.hasRoom) return slot.writeCommand(frame)
    this.buffer(frame)
    return Promise.resolve()
  }

  /**
   * `sendCommand` for a caller that never waits for the write (the launcher's saga path): no
   * promise is made per command. Returns the refusal (SERIALIZE, PAYLOAD_TOO_LARGE, or
   * HOST_NOT_CONNECTED once disposed; nothing is kept), else undefined. A write that fails later
   * is handled as for `sendCommand`: the frame is kept, then delivered or its saga failed
   * (`onDidFailSaga`). `fields`: members written after `cmd`'s own (an app call's input).
   */
  postCommand(cmd: HostCommand, o?: SendCommandOptions, fields?: object): HostPipeError | undefined {
    const frame = this.makeFrame(cmd, false, o?.retry === true, o?.blockBytes, fields)
    if (frame instanceof HostPipeError) return frame
    const slot = this.slot
    if (slot && this.outage.length === 0 && slot.hasRoom) slot.postCommand(frame)
    else this.buffer(frame)
    return undefined
  }

  private buffer(frame: OutboundCommand): void {
    this.outage.hold(frame, this.slot !== undefined)
    this.notify()
  }

  /** A host's writer is set: commands are written, not buffered for an outage. */
  get isConnected(): boolean {
    return this.slot !== undefined
  }

  /** A command sent now would wait in the buffer (no host, no room in flight, or others wait). */
  get isBuffering(): boolean {
    const slot = this.slot
    return !slot || this.outage.length > 0 || !slot.hasRoom
  }

  /** With `maxQueued`: that many commands wait in the pipe, so the owner should send no more. */
  get isQueueFull(): boolean {
    return this.outage.isFull
  }

  /**
   * Fail-fast send (the seed's `try_send_command_no_buffer`): rejects at once HOST_NOT_CONNECTED
   * while disconnected and BUFFER_OVERFLOW while `maxInFlight` commands are unacked (it may not
   * wait in the buffer), WRITE_FAILED on a failed write. Either way the frame is gone.
   */
  trySendCommandNoBuffer(cmd: HostCommand): Promise<void> {
    const slot = this.slot
    if (!slot) return Promise.reject(new HostPipeError('HOST_NOT_CONNECTED', 'host not connected'))
    if (!slot.hasRoom) return Promise.reject(inFlightFull(this.maxInFlight, cmd.cmd))
    const frame = this.makeFrame(cmd, true)
    if (frame instanceof HostPipeError) return Promise.reject(frame)
    return slot.writeCommand(frame)
  }

  /**
   * Writes a raw event to the host of `sessionId`. Rejects STALE_SESSION when a newer host has
   * registered since; resolves unwritten while disconnected (events are never buffered).
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
   * Writes a control frame (docs/protocol.md#control-frames) to the current host, behind what is
   * queued on its writer; never buffered, in flight or counted as a command. Rejects
   * HOST_NOT_CONNECTED at once without a host, WRITE_FAILED as a failed event write (the writer is
   * cleared); resolves unwritten if the writer goes away first.
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
   * Where the saga's command is, or undefined when HostPipe holds none of its frames (never sent,
   * acked, failed, removed, or written to a host without acks). Asked when a saga times out; costs
   * one walk of what is held (≤ capacity + maxInFlight frames).
   */
  sagaCommandState(sagaId: number): SagaCommandState | undefined {
    if (this.outage.holdsSaga(sagaId) || this.slot?.hasQueuedSaga(sagaId)) return 'buffered'
    return this.inFlight.hasSaga(sagaId) ? 'in-flight' : undefined
  }

  /**
   * The host executed the command with this seq and everything written to it before (cumulative);
   * with a per-call host, that command alone. A seq not in flight is ignored and counted. A
   * per-call host's acks notify once per turn: its reports carry them, one per call.
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
    // A call's ack comes here, almost always with nothing buffered.
    if (this.outage.length > 0) this.outage.pumpInto(slot)
    if (this.inFlight.isPerCall) this.notifySoon()
    else this.notify()
  }

  /** Removes the saga's unwritten frames, returns how many; its in-flight ones will never be failed. */
  cancelSaga(sagaId: number): number {
    const removed = this.purgeSaga(sagaId)
    if (removed > 0) {
      this.log.info(`[host_pipe] cancelSaga(${sagaId}) purged ${removed} buffered frame(s)`)
      this.notify()
    }
    return removed
  }

  snapshot(): HostPipeSnapshot {
    return {
      connected: this.slot !== undefined,
      sessionId: this.sessionId,
      pending: this.outage.length,
      capacity: this.outage.capacity,
      inFlight: this.inFlight.length + (this.slot?.queuedCommands ?? 0),
      disconnectedAt: this.outage.disconnectedAt,
      expiresAt: this.outage.expiresAt,
      counters: { ...this.counters },
    }
  }

  /** `onDidChange` as docs/host-pipe.md spells it; returns the unsubscribe. TypeError for other events. */
  on(event: 'change', fn: (s: HostPipeSnapshot) => void): () => void {
    if (event !== 'change') throw new TypeError(`unknown HostPipe event ${String(event)}`)
    const subscription = this.onDidChange(fn)
    return () => subscription.dispose()
  }

  /** Clears the timer and listeners; sagas of commands not yet delivered fail (`host pipe disposed`). */
  dispose(): void {
    if (this.isDisposed) return
    if (this.slot) this.detach(this.slot, 'disposed')
    this.outage.dispose()
    this.isDisposed = true
    this.notify()
    this.didChange.dispose()
    this.didChangeConnected.dispose()
    this.undelivered.dispose()
  }

  private makeFrame(
    cmd: HostCommand,
    noBuffer: boolean,
    retry = false,
    blockBytes?: number,
    fields?: object,
  ): OutboundCommand | HostPipeError {
    if (this.isDisposed) return new HostPipeError('HOST_NOT_CONNECTED', 'host pipe is disposed')
    const ordinal = this.nextOrdinal++
    return createOutboundCommand(cmd, ordinal, noBuffer, retry, this.maxPayloadBytes, blockBytes, fields)
  }

  private onCommandWritten(slot: WriterSlot, frame: OutboundCommand): void {
    this.counters.sent++
    const waiter = frame.waiter
    frame.waiter = undefined
    waiter?.resolve()
    // Most writes are not part of a drain: the drain's set is only looked at while there is one.
    const wasDrainStep = slot.isDraining && slot.isDrainFrame(frame)
    if (wasDrainStep && slot.leaveDrain(frame)) this.outage.endDrain(slot)
    // Without acks a written frame is delivered, so its room frees now.
    if (!slot.hasAcks && this.outage.length > 0) this.outage.pumpInto(slot)
    // With acks a plain write changes only `sent`: a burst notifies once, after its last command,
    // not a snapshot per command (the costliest part of a send).
    if (slot.hasAcks && !wasDrainStep) {
      if (slot.queuedCommands > 0) return
      // A waiting caller resumes after its listeners; a write done inside `sendCommand` is a burst's.
      if (waiter) this.notify()
      else this.notifySoon()
      return
    }
    this.notify()
  }

  /** A write failed: its writer goes, if still current; a command not delivered is buffered again. */
  private onWriteFailed(slot: WriterSlot, item: Outbound, err: unknown): void {
    this.counters.writeFailures++
    const frame = item.type === 'command' ? item : undefined
    this.log.warn(`[host_pipe] ${frame ? `write of seq ${frame.seq}` : 'event write'} failed: ${String(err)}`)
    // With acks, a frame no longer in flight was acked or failed with its host: never sent again.
    // One write at a time, so a frame still in flight is the newest.
    const wasTracked = frame !== undefined && this.inFlight.removeNewest(frame)
    const isTerminal = !frame || frame.settled || frame.noBuffer || (slot.hasAcks && !wasTracked)
    const waiter = item.waiter
    item.waiter = undefined
    if (frame) slot.leaveDrain(frame)
    // Detaching ends the drain; a slot detached earlier had its drain ended then.
    if (slot.isCurrent) this.detach(slot, 'write failed')
    if (frame && !isTerminal) {
      this.outage.putBack(frame, this.slot)
      this.outage.enforceCapacity(this.slot !== undefined)
    }
    this.notify()
    waiter?.reject(writeFailed(err))
  }

  /** Never written (it holds bytes, the host takes none): its saga fails, the writer goes on. */
  private onCommandRefused(slot: WriterSlot, frame: OutboundCommand, reason: string): void {
    this.log.warn(`[host_pipe] ${frame.cmd.cmd} not sent: ${reason}`)
    const waiter = frame.waiter
    frame.waiter = undefined
    waiter?.resolve()
    if (slot.isDraining && slot.isDrainFrame(frame) && slot.leaveDrain(frame)) this.outage.endDrain(slot)
    this.undelivered.failAll([frame], reason)
    this.notify()
  }

  /** A writer stops being current: its unstarted frames go back to the buffer, its unacked ones are lost. */
  private detach(slot: WriterSlot, why: 'cleared' | 'replaced' | 'write failed' | 'disposed'): void {
    if (this.slot === slot) this.slot = undefined
    const isOutage = why === 'cleared' || why === 'write failed'
    this.outage.hostLost(slot.release(), this.inFlight.takeAll(), isOutage)
    if (slot.isDraining) this.outage.endDrain(slot)
    if (isOutage) this.didChangeConnected.fire(false)
  }

  /** Removes a saga's unwritten frames and marks its in-flight ones settled; returns how many went. */
  private purgeSaga(sagaId: number): number {
    const slot = this.slot
    // Every call's end comes here, almost always with nothing of its saga left unwritten.
    if (this.outage.length === 0 && (!slot || slot.queue.length === 0)) {
      this.inFlight.settleSaga(sagaId)
      return 0
    }
    const removed = this.outage.removeSaga(sagaId)
    if (slot) {
      const queued = slot.removeSagaCommands(sagaId)
      removed.push(...queued.removed)
      if (queued.drainEnded) this.outage.endDrain(slot)
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

  /** After the caller's turn, so a burst costs one snapshot; a microtask: before any I/O or timer. */
  private notifySoon(): void {
    if (this.isNotifyDue || !this.didChange.hasListeners) return
    this.isNotifyDue = true
    queueMicrotask(this.notifyIfDue)
  }

  private readonly notifyIfDue = (): void => {
    if (this.isNotifyDue) this.notify()
  }
}
