import type { HostPipeCounters, HostPipeSnapshot } from '../../shared/diagnostics'
import {
  encodeCommandFrame,
  encodeControlFrame,
  encodeEvent,
  exceedsFrameLimit,
  MAX_FRAME_BYTES,
  sagaIdOf,
  type Command,
  type ControlCommand,
  type Event,
} from '../../shared/protocol'
import { deferred } from './deferred'
import { FifoQueue } from './fifo-queue'
import { HostPipeError } from './host-pipe-error'
import type { Outbound, OutboundCommand, OutboundEvent } from './outbound-frame'
import { PendingBuffer } from './pending-buffer'
import { silentLogger, systemClock, type Clock, type HostWriter, type Logger } from './ports'

/** Frames buffered while the host is away (or while `maxInFlight` commands await acks). */
export const PENDING_BUFFER_CAP = 64
/** How long buffered frames may wait for a host before their sagas are failed. */
export const DISCONNECT_TIMEOUT_MS = 30_000
/** Unacked commands allowed on the wire at once; more wait in the pending buffer. */
export const MAX_IN_FLIGHT = 1024

/** `saga_failed` reasons, as AgentMux spells them (observers filter on the `host pipe` prefix). */
export const REASON_OVERFLOW = 'host pipe backpressure overflow'
export const REASON_EXPIRED = 'host unreachable'
export const REASON_BEFORE_ACK = 'host disconnected before ack'
export const REASON_DISPOSED = 'host pipe disposed'

/** Room for the envelope (`{"kind":"command","seq":…,`) added at write time. */
const ENVELOPE_BYTES = 48

export interface HostPipeOptions {
  /** Where `saga_failed` events go (the launcher's event bus). Called synchronously. */
  emit(e: Event): void
  /** The launcher's one monotonic version counter. */
  nextVersion(): number
  /** Default: the wall clock. */
  clock?: Clock
  /** Default: PENDING_BUFFER_CAP (64). */
  capacity?: number
  /** Default: DISCONNECT_TIMEOUT_MS (30 s). */
  disconnectTimeoutMs?: number
  /** Default: MAX_IN_FLIGHT (1024). */
  maxInFlight?: number
  /** Default: silent. */
  log?: Logger
}

/**
 * Where a saga's command is, for the saga layer (§8): `buffered` (in the pending buffer, or queued
 * on the writer with its write not started: it can still be removed and never sent), `in-flight`
 * (its write started on the current host, which acks, and no ack covered it yet).
 */
export type SagaCommandState = 'buffered' | 'in-flight'

/** One connected host: its writer, its write queue, and whether it acks. */
class WriterSlot {
  readonly queue = new FifoQueue<Outbound>()
  /** Commands in `queue` (not yet started): they count against `maxInFlight`. */
  queuedCommands = 0
  isWriting = false
  isCurrent = true
  /** Frames of the `setWriter` drain still to be written, and who waits for them. */
  drainRemaining = 0
  onDrainSettled: (() => void) | undefined

  constructor(
    readonly writer: HostWriter,
    readonly hasAcks: boolean,
  ) {}
}

const zeroCounters = (): HostPipeCounters => ({
  sent: 0,
  acked: 0,
  buffered: 0,
  drained: 0,
  droppedOverflow: 0,
  droppedExpired: 0,
  failedBeforeAck: 0,
  sagaFailed: 0,
  writeFailures: 0,
  staleSession: 0,
  ignoredAcks: 0,
  cancelled: 0,
})

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`)
  return value
}

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
 */
export class HostPipe {
  private readonly emitEvent: (e: Event) => void
  private readonly nextVersion: () => number
  private readonly clock: Clock
  private readonly capacity: number
  private readonly disconnectTimeoutMs: number
  private readonly maxInFlight: number
  private readonly log: Logger

  private slot: WriterSlot | undefined
  private sessionId = 0
  private readonly pending = new PendingBuffer()
  /**
   * Commands written to the current host and not yet acked, in write order: what a cumulative ack
   * walks. Their seqs are consecutive (assigned as each write starts, by the one writer loop, and
   * the queue is emptied when that writer goes), so "is this seq in flight" is a range check.
   */
  private readonly inFlight = new FifoQueue<OutboundCommand>()
  private nextSeq = 1
  private nextOrdinal = 1
  private deadline: { at: number; handle: unknown } | undefined
  private disconnectedAt: number | null = null
  private readonly counters = zeroCounters()
  private readonly listeners = new Set<(s: HostPipeSnapshot) => void>()
  private isDisposed = false

  constructor(opts: HostPipeOptions) {
    this.emitEvent = opts.emit
    this.nextVersion = opts.nextVersion
    this.clock = opts.clock ?? systemClock
    this.capacity = positiveInt('capacity', opts.capacity, PENDING_BUFFER_CAP)
    this.disconnectTimeoutMs = positiveInt(
      'disconnectTimeoutMs',
      opts.disconnectTimeoutMs,
      DISCONNECT_TIMEOUT_MS,
    )
    this.maxInFlight = positiveInt('maxInFlight', opts.maxInFlight, MAX_IN_FLIGHT)
    this.log = opts.log ?? silentLogger
  }

  // ---------------------------------------------------------------------------------------------
  // Connection

  /**
   * Hands a newly registered host's writer to the pipe: bumps and returns the session id, and
   * drains the buffer into it in FIFO order. Resolves when the drain has settled, also when it
   * failed midway (the pipe is then disconnected again, the rest still buffered in order).
   * A host that registered with feature `ack` is set with `{acks: true}`.
   */
  setWriter(writer: HostWriter, o?: { acks?: boolean }): Promise<number> {
    if (this.isDisposed)
      return Promise.reject(new HostPipeError('HOST_NOT_CONNECTED', 'host pipe is disposed'))
    const sessionId = ++this.sessionId
    if (this.slot) {
      this.log.info(`[host_pipe] host replaced by session ${sessionId}`)
      this.detach(this.slot, 'replaced')
    }
    const slot = new WriterSlot(writer, o?.acks === true)
    this.slot = slot
    this.disconnectedAt = null
    const settled = new Promise<number>((resolve) => {
      slot.onDrainSettled = () => resolve(sessionId)
    })
    while (this.pending.length > 0 && this.hasRoom(slot)) {
      const frame = this.pending.shift()!
      frame.drainOf = slot
      slot.drainRemaining++
      this.counters.drained++
      this.enqueue(slot, frame)
    }
    if (slot.drainRemaining === 0) this.completeDrain(slot)
    else this.log.info(`[host_pipe] session ${sessionId}: draining ${slot.drainRemaining} buffered frame(s)`)
    this.notify()
    this.startPump(slot)
    return settled
  }

  /** Marks the host as gone. Synchronous and idempotent; fails unacked sagas before returning. */
  clearWriter(): void {
    if (!this.slot) return
    this.detach(this.slot, 'cleared')
    this.log.info(`[host_pipe] host disconnected: buffering commands (${this.disconnectTimeoutMs} ms budget)`)
    this.notify()
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  /**
   * Sends a command, or buffers it while no host can take it. Resolves once the frame is written
   * or buffered. Rejects only with WRITE_FAILED (or SERIALIZE for a frame that cannot be encoded);
   * after WRITE_FAILED the frame is kept and will still be delivered or its saga failed.
   */
  sendCommand(cmd: Command): Promise<void> {
    const frame = this.makeFrame(cmd, false)
    if (frame instanceof HostPipeError) return Promise.reject(frame)
    const slot = this.slot
    // FIFO: while anything is buffered, new frames queue behind it.
    if (slot && this.pending.length === 0 && this.hasRoom(slot)) {
      const waiter = deferred<void>()
      frame.waiter = waiter
      this.enqueue(slot, frame)
      this.startPump(slot)
      return waiter.promise
    }
    this.counters.buffered++
    this.pending.insert(frame)
    if (!this.slot) this.armDeadline()
    this.enforceCapacity()
    this.notify()
    return Promise.resolve()
  }

  /**
   * Fail-fast send (the seed's `try_send_command_no_buffer`): rejects HOST_NOT_CONNECTED at once
   * while disconnected, WRITE_FAILED on a failed write. Either way the frame is gone.
   */
  trySendCommandNoBuffer(cmd: Command): Promise<void> {
    const slot = this.slot
    if (!slot) return Promise.reject(new HostPipeError('HOST_NOT_CONNECTED', 'host not connected'))
    const frame = this.makeFrame(cmd, true)
    if (frame instanceof HostPipeError) return Promise.reject(frame)
    const waiter = deferred<void>()
    frame.waiter = waiter
    this.enqueue(slot, frame)
    this.startPump(slot)
    return waiter.promise
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
      return Promise.reject(
        new HostPipeError(
          'STALE_SESSION',
          `host pipe session ${sessionId} is stale (replaced by session ${this.sessionId})`,
        ),
      )
    }
    const slot = this.slot
    if (!slot) return Promise.resolve()
    let line: string
    try {
      line = encodeEvent(e)
    } catch (err) {
      return Promise.reject(
        new HostPipeError('SERIALIZE', `event failed to serialise: ${String(err)}`, { cause: err }),
      )
    }
    const item: OutboundEvent = { type: 'event', line, waiter: deferred<void>() }
    slot.queue.push(item)
    this.startPump(slot)
    return item.waiter.promise
  }

  /**
   * Writes a control frame (ARCHITECTURE §8: `probe_ui_thread`, `cancel_saga`) to the current
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
    let line: string
    try {
      line = encodeControlFrame(cmd)
    } catch (err) {
      return Promise.reject(
        new HostPipeError('SERIALIZE', `${cmd.cmd} failed to serialise: ${String(err)}`, { cause: err }),
      )
    }
    // A raw line on the writer, as an event is: the write loop treats both alike.
    const item: OutboundEvent = { type: 'event', line, waiter: deferred<void>() }
    slot.queue.push(item)
    this.startPump(slot)
    return item.waiter.promise
  }

  /**
   * Where the saga's command is (see SagaCommandState), or undefined when HostPipe holds none of
   * its frames (never sent, acked, failed, removed, or written to a host without acks). The saga
   * layer asks this when a saga times out: a buffered command is removed and failed, an in-flight
   * one on a deadline-aware host is left to the host's verdict. Costs one walk of what is held
   * (≤ capacity + maxInFlight frames).
   */
  sagaCommandState(sagaId: number): SagaCommandState | undefined {
    let state: SagaCommandState | undefined
    const isOfSaga = (f: Outbound): boolean => f.type === 'command' && f.sagaId === sagaId
    if (this.pending.some(isOfSaga)) return 'buffered'
    this.slot?.queue.forEach((f) => {
      if (isOfSaga(f)) state = 'buffered'
    })
    if (state) return state
    this.inFlight.forEach((f) => {
      if (f.sagaId === sagaId) state = 'in-flight'
    })
    return state
  }

  // ---------------------------------------------------------------------------------------------
  // Acks and cancellation

  /**
   * The host executed the command with this seq and everything written to it before (cumulative,
   * in arrival order). A seq not in flight is ignored and counted.
   */
  ack(seq: number): void {
    const slot = this.slot
    const oldest = this.inFlight.first
    if (!slot || !slot.hasAcks || !oldest || seq < oldest.seq || seq > this.inFlight.last!.seq) {
      this.counters.ignoredAcks++
      this.log.debug(`[host_pipe] ignored ack for seq ${seq}: not in flight`)
      this.notify()
      return
    }
    for (let frame = this.inFlight.first; frame && frame.seq <= seq; frame = this.inFlight.first) {
      this.inFlight.shift()
      this.counters.acked++
    }
    this.pumpPending(slot)
    this.notify()
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
      capacity: this.capacity,
      inFlight: this.inFlight.length + (this.slot?.queuedCommands ?? 0),
      disconnectedAt: this.disconnectedAt,
      expiresAt: this.deadline?.at ?? null,
      counters: { ...this.counters },
    }
  }

  /** Calls `fn` synchronously after every state change. Returns the unsubscribe function. */
  on(event: 'change', fn: (s: HostPipeSnapshot) => void): () => void {
    if (event !== 'change') throw new TypeError(`unknown HostPipe event ${String(event)}`)
    this.listeners.add(fn)
    return () => {
      this.listeners.delete(fn)
    }
  }

  /**
   * Clears the timer and listeners. Commands not yet delivered have their sagas failed
   * (`host pipe disposed`): shutting down is no excuse for silent loss.
   */
  dispose(): void {
    if (this.isDisposed) return
    if (this.slot) this.detach(this.slot, 'disposed')
    this.clearDeadline()
    this.failAll(this.pending.takeAll(), REASON_DISPOSED, 'cancelled')
    this.isDisposed = true
    this.notify()
    this.listeners.clear()
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private makeFrame(cmd: Command, noBuffer: boolean): OutboundCommand | HostPipeError {
    if (this.isDisposed) return new HostPipeError('HOST_NOT_CONNECTED', 'host pipe is disposed')
    let body: string | undefined
    try {
      body = JSON.stringify(cmd)
    } catch (err) {
      return new HostPipeError('SERIALIZE', `command failed to serialise: ${String(err)}`, { cause: err })
    }
    if (typeof body !== 'string' || body[0] !== '{')
      return new HostPipeError('SERIALIZE', 'command must serialise to a JSON object')
    if (exceedsFrameLimit(body, MAX_FRAME_BYTES - ENVELOPE_BYTES))
      return new HostPipeError('SERIALIZE', 'command frame would exceed MAX_FRAME_BYTES')
    return {
      type: 'command',
      ordinal: this.nextOrdinal++,
      cmd,
      body,
      sagaId: sagaIdOf(cmd),
      noBuffer,
      seq: 0,
      waiter: undefined,
      settled: false,
      drainOf: undefined,
    }
  }

  private hasRoom(slot: WriterSlot): boolean {
    return this.inFlight.length + slot.queuedCommands < this.maxInFlight
  }

  private enqueue(slot: WriterSlot, frame: OutboundCommand): void {
    slot.queue.push(frame)
    slot.queuedCommands++
  }

  /** Moves buffered frames to the writer as room frees up (acks, or writes without acks). */
  private pumpPending(slot: WriterSlot): void {
    let moved = false
    while (slot.isCurrent && this.pending.length > 0 && this.hasRoom(slot)) {
      this.enqueue(slot, this.pending.shift()!)
      this.counters.drained++
      moved = true
    }
    if (moved) this.startPump(slot)
  }

  /** Runs the slot's writer loop unless it is running already (it will pick up the new item). */
  private startPump(slot: WriterSlot): void {
    // Checked here and not only inside: calling an async function allocates its promise and
    // suspended frame even when it returns at once, and this runs once per command.
    if (!slot.isWriting) void this.pump(slot)
  }

  /**
   * The one writer loop of a slot: one write in flight at a time, in queue order, so frames never
   * interleave or reorder. Stops when the slot is no longer current.
   */
  private async pump(slot: WriterSlot): Promise<void> {
    if (slot.isWriting) return
    slot.isWriting = true
    try {
      while (slot.isCurrent) {
        const item = slot.queue.shift()
        if (!item) break
        if (item.type === 'event') {
          await this.writeEvent(slot, item)
          continue
        }
        slot.queuedCommands--
        const seq = this.nextSeq++
        item.seq = seq
        // In flight from the moment the write starts: on a socket the ack can beat the callback.
        if (slot.hasAcks) this.inFlight.push(item)
        try {
          await slot.writer.write(encodeCommandFrame(seq, item.body))
        } catch (err) {
          this.onCommandWriteFailed(slot, item, seq, err)
          continue
        }
        this.onCommandWritten(slot, item)
      }
    } finally {
      slot.isWriting = false
    }
  }

  private async writeEvent(slot: WriterSlot, item: OutboundEvent): Promise<void> {
    try {
      await slot.writer.write(item.line)
    } catch (err) {
      this.counters.writeFailures++
      this.log.warn(`[host_pipe] event write failed: ${String(err)}`)
      if (slot.isCurrent) this.detach(slot, 'write failed')
      this.notify()
      item.waiter.reject(
        new HostPipeError('WRITE_FAILED', `write to host pipe failed: ${String(err)}`, { cause: err }),
      )
      return
    }
    item.waiter.resolve()
  }

  private onCommandWritten(slot: WriterSlot, frame: OutboundCommand): void {
    this.counters.sent++
    frame.waiter?.resolve()
    frame.waiter = undefined
    const wasDrainStep = frame.drainOf === slot
    this.settleDrainStep(slot, frame)
    // Without acks a written frame is delivered, so its room frees now.
    if (!slot.hasAcks) this.pumpPending(slot)
    // With acks a plain write changes nothing but the `sent` counter, so a burst of writes
    // notifies once, after its last command, instead of building a snapshot per command (the
    // costliest part of a send). Every other change here still notifies at once.
    if (slot.hasAcks && !wasDrainStep && slot.queuedCommands > 0) return
    this.notify()
  }

  private onCommandWriteFailed(slot: WriterSlot, frame: OutboundCommand, seq: number, err: unknown): void {
    this.counters.writeFailures++
    this.log.warn(`[host_pipe] write of seq ${seq} failed: ${String(err)}`)
    // With acks, a frame no longer in flight was acked or already failed when its host went away:
    // it must not be sent again. One write at a time, so a frame still in flight is the newest.
    const wasTracked = this.inFlight.last === frame
    if (wasTracked) this.inFlight.pop()
    const isTerminal = frame.settled || (slot.hasAcks && !wasTracked)
    const waiter = frame.waiter
    frame.waiter = undefined
    if (frame.drainOf === slot) {
      frame.drainOf = undefined
      slot.drainRemaining--
    }
    if (slot.isCurrent) this.detach(slot, 'write failed')
    if (!isTerminal && !frame.noBuffer) {
      // Not delivered, so sending it again is not a replay: it takes its old place in the queue,
      // and goes straight to a writer that replaced the failed one.
      this.pending.insert(frame)
      if (this.slot) this.pumpPending(this.slot)
      else this.armDeadline()
      this.enforceCapacity()
    }
    if (slot.onDrainSettled && slot.drainRemaining <= 0) this.completeDrain(slot)
    this.notify()
    waiter?.reject(
      new HostPipeError('WRITE_FAILED', `write to host pipe failed: ${String(err)}`, { cause: err }),
    )
  }

  private settleDrainStep(slot: WriterSlot, frame: OutboundCommand): void {
    if (frame.drainOf !== slot) return
    frame.drainOf = undefined
    if (--slot.drainRemaining === 0) this.completeDrain(slot)
  }

  /** The drain of a `setWriter` settled: if it completed on a live writer, the deadline ends. */
  private completeDrain(slot: WriterSlot): void {
    if (slot.isCurrent) this.clearDeadline()
    slot.drainRemaining = 0
    const done = slot.onDrainSettled
    slot.onDrainSettled = undefined
    done?.()
  }

  /**
   * A writer stops being current. Unstarted frames go back to the buffer in call order; unacked
   * frames in flight have their sagas failed (never re-sent: the host may have executed them).
   */
  private detach(slot: WriterSlot, why: 'cleared' | 'replaced' | 'write failed' | 'disposed'): void {
    slot.isCurrent = false
    if (this.slot === slot) this.slot = undefined
    for (const item of slot.queue.takeAll()) {
      if (item.type === 'event') {
        item.waiter.resolve()
        continue
      }
      const waiter = item.waiter
      item.waiter = undefined
      item.drainOf = undefined
      if (item.noBuffer) {
        waiter?.reject(
          new HostPipeError('HOST_NOT_CONNECTED', 'host disconnected before the probe was written'),
        )
        continue
      }
      if (!item.settled) this.pending.insert(item)
      waiter?.resolve()
    }
    slot.queuedCommands = 0
    const unacked = this.inFlight.takeAll()
    this.counters.failedBeforeAck += unacked.length
    this.failAll(unacked, REASON_BEFORE_ACK)
    if (why === 'cleared' || why === 'write failed') {
      this.disconnectedAt = this.clock.now()
      this.armDeadline()
    }
    this.enforceCapacity()
    if (slot.onDrainSettled) this.completeDrain(slot)
  }

  /** Drop-oldest: the newest frame is always kept. */
  private enforceCapacity(): void {
    while (this.pending.length > this.capacity) {
      const dropped = this.pending.shift()!
      this.counters.droppedOverflow++
      if (dropped.sagaId === undefined)
        this.log.warn(`[host_pipe] buffer full: dropped a ${dropped.cmd.cmd} command (no saga to fail)`)
      this.failAll([dropped], REASON_OVERFLOW)
    }
  }

  private armDeadline(): void {
    if (this.deadline || this.isDisposed) return
    const at = this.clock.now() + this.disconnectTimeoutMs
    const handle = this.clock.setTimeout(() => this.expire(), this.disconnectTimeoutMs)
    this.deadline = { at, handle }
  }

  private clearDeadline(): void {
    if (!this.deadline) return
    this.clock.clearTimeout(this.deadline.handle)
    this.deadline = undefined
  }

  /** The budget ran out: every buffered frame is dropped and its saga failed. */
  private expire(): void {
    this.deadline = undefined
    const dropped = this.pending.takeAll()
    this.counters.droppedExpired += dropped.length
    if (dropped.length > 0)
      this.log.warn(
        `[host_pipe] no host for ${this.disconnectTimeoutMs} ms: dropping ${dropped.length} buffered frame(s)`,
      )
    this.failAll(dropped, REASON_EXPIRED)
    this.notify()
  }

  /**
   * Fails the sagas of `frames`, once per saga: a saga's other unwritten frames are purged and its
   * in-flight ones marked settled, so no saga gets a second `saga_failed` from here.
   */
  private failAll(frames: OutboundCommand[], reason: string, countAs?: 'cancelled'): void {
    for (const frame of frames) {
      if (countAs) this.counters[countAs]++
      if (frame.settled) continue
      frame.settled = true
      const sagaId = frame.sagaId
      if (sagaId === undefined) continue
      this.counters.sagaFailed++
      this.emitEvent({ event: 'saga_failed', saga_id: sagaId, reason, version: this.nextVersion() })
      this.purgeSaga(sagaId)
    }
  }

  /** Removes a saga's unwritten frames and marks its in-flight ones settled; returns how many went. */
  private purgeSaga(sagaId: number): number {
    const matches = (f: Outbound): boolean => f.type === 'command' && f.sagaId === sagaId
    const removed: OutboundCommand[] = this.pending.removeWhere(matches)
    const slot = this.slot
    if (slot) {
      for (const item of slot.queue.removeWhere(matches)) {
        const frame = item as OutboundCommand
        slot.queuedCommands--
        frame.waiter?.resolve()
        frame.waiter = undefined
        if (frame.drainOf === slot) {
          frame.drainOf = undefined
          if (--slot.drainRemaining === 0) this.completeDrain(slot)
        }
        removed.push(frame)
      }
    }
    for (const frame of removed) frame.settled = true
    this.inFlight.forEach((frame) => {
      if (frame.sagaId === sagaId) frame.settled = true
    })
    this.counters.cancelled += removed.length
    return removed.length
  }

  private notify(): void {
    if (this.listeners.size === 0) return
    const s = this.snapshot()
    for (const fn of this.listeners) {
      try {
        fn(s)
      } catch (err) {
        this.log.error(`[host_pipe] change listener threw: ${String(err)}`)
      }
    }
  }
}
