import { MAX_BURST, type SagaTotals } from '../../shared/diagnostics'
import { REASON_CANCELLED, type Event, type HostCommand, type SagaReport } from '../../shared/protocol'
import { DisposableStore } from '../base/disposable'
import { positiveIntOption } from '../base/integer-option'
import { HostPipeError } from '../host-pipe'
import { systemClock, type Clock } from '../base/clock'
import { silentLogger, type Logger } from '../base/logger'
import { REPORT_FOR, RETRYABLE_COMMANDS, type Saga, type SagaRequest, type StartSagaOptions } from './saga'
import type { SagaCoordinatorOptions, SagaEventBus, SagaPipe } from './saga-coordinator-options'
import { SagaBacklogStallTimer } from './saga-backlog-stall-timer'
import { SagaLedger } from './saga-ledger'
import { SagaLeftToHostCheck } from './saga-left-to-host-check'
import { SagaTimeouts } from './saga-timeouts'

// The saga types and the options moved to their own files; re-exported so existing imports of
// this module keep working.
export { RETRYABLE_COMMANDS } from './saga'
export type { SagaEnd, SagaOptions, SagaRequest, StartSagaOptions } from './saga'
export type { SagaCoordinatorOptions, SagaEventBus, SagaPipe } from './saga-coordinator-options'

/** How long an issued saga may wait for its report (AgentMux's value). */
export const SAGA_TIMEOUT_MS = 5_000
export const REASON_SAGA_TIMEOUT = 'saga timeout'
export const REASON_BACKLOG_FULL = 'saga backlog full'
export const REASON_COORDINATOR_DISPOSED = 'saga coordinator disposed'
/** A deadline-aware host acked a saga's command past its timeout without reporting on it. */
export const REASON_NO_REPORT = 'host acked without a report'

export interface SagaCoordinatorStats extends SagaTotals {
  /** Started sagas not yet handed to HostPipe. */
  backlog: number
  /** Reports and HostPipe failures that came after their saga had already ended. */
  lateTerminals: number
  /** Sagas past their timeout, in flight on a deadline-aware host, waiting for its verdict. */
  awaitingHost: number
  /** Reports for no issued saga, or of the wrong kind for their saga. */
  ignoredReports: number
}

export interface BurstResult {
  count: number
  firstSagaId: number
  lastSagaId: number
}

/** What `cancelSaga` did. */
export type SagaCancelOutcome =
  /** It had not reached a host, or its host cannot honour a cancel: `saga_failed` now. */
  | 'failed'
  /** In flight on a deadline-aware host: `cancel_saga` sent; the host's report ends the saga. */
  | 'sent-to-host'
  /** No open saga with that id. */
  | 'not-open'

/**
 * Runs sagas: one command to the host each, closed by exactly one terminal event: the host's
 * report (`saga_completed`, or `saga_failed` for `report_saga_action_failed`), the saga timeout,
 * or a saga HostPipe failed itself (overflow, expiry, host gone before the ack), which HostPipe
 * reports here through `onDidFailSaga` and publishes on the bus on its own.
 * Whatever comes after the first terminal is ignored and counted; every terminal cancels the
 * saga's frames in HostPipe so it cannot fail the saga a second time.
 *
 * Backlog. HostPipe holds at most `maxInFlight` unacked commands plus `capacity` buffered ones and
 * drops the oldest beyond that. A burst bigger than that against a healthy host would overflow
 * for no reason, so sagas wait here, in order, and are issued:
 * - while the pipe is connected, only while `inFlight + pending < maxInFlight`. This keeps
 *   HostPipe's buffer empty while the host keeps up, so the buffer's whole capacity is left for
 *   an outage, and a healthy burst never overflows;
 * - while the pipe is disconnected, at once and all of them: the buffer is what an outage is for,
 *   and its bound (drop-oldest, `saga_failed` per dropped saga) is the contract users see
 *   (stop-host then burst 100: depth 64, 36 overflow failures). Holding sagas here instead would
 *   hide the outage from the pipe's own accounting.
 * The timeout clock of a saga starts when it is issued. If the backlog cannot move for a whole
 * saga timeout (a connected host that stopped acking), its sagas fail with `saga timeout` too,
 * so no saga waits forever.
 *
 * Deadlines (ARCHITECTURE §8, after gRPC's deadline propagation). Each command carries its
 * saga's deadline: the wall-clock moment its timeout fires, fixed at issue, so it stays the same
 * while the frame waits in HostPipe's buffer. When the timeout fires, a command that never left
 * the launcher is removed and its saga failed (`saga timeout`: it was never sent). A command in
 * flight on a host that registered with feature `"deadline"` is left to that host: it will not
 * start the command late and reports `deadline exceeded`, so the saga ends with the host's report
 * or with the host's loss (HostPipe's `host disconnected before ack`), never with a verdict the
 * host could contradict. Hosts without the feature keep AgentMux's behaviour: the timeout fails
 * the saga, and the host may still execute it (its report then counts as late).
 */
export class SagaCoordinator {
  private readonly pipe: SagaPipe
  private readonly events: SagaEventBus
  private readonly clock: Clock
  private readonly wallNow: () => number
  private readonly hostHonoursDeadlines: () => boolean
  private readonly sagaTimeoutMs: number
  private readonly maxBacklog: number
  private readonly log: Logger

  private readonly sagas = new SagaLedger()
  private readonly disposables = new DisposableStore()
  // Timers: one each, not one per saga, as a burst issues thousands of sagas at once.
  private readonly timeouts: SagaTimeouts
  private readonly stallTimer: SagaBacklogStallTimer
  private readonly leftCheck: SagaLeftToHostCheck
  private isPumping = false
  private isPumpScheduled = false
  private isDisposed = false
  private readonly counts = {
    started: 0,
    completed: 0,
    failed: 0,
    lateTerminals: 0,
    lateReports: 0,
    ignoredReports: 0,
  }

  constructor(opts: SagaCoordinatorOptions) {
    this.pipe = opts.pipe
    this.events = opts.events
    this.clock = opts.clock ?? systemClock
    this.wallNow = opts.wallNow ?? Date.now
    this.hostHonoursDeadlines = opts.hostHonoursDeadlines ?? (() => false)
    this.sagaTimeoutMs = positiveIntOption('sagaTimeoutMs', opts.sagaTimeoutMs, SAGA_TIMEOUT_MS)
    this.maxBacklog = positiveIntOption('maxBacklog', opts.maxBacklog, MAX_BURST)
    this.log = opts.log ?? silentLogger
    this.timeouts = this.disposables.add(new SagaTimeouts(this.clock, this.sagas, () => this.onTimeoutsDue()))
    this.stallTimer = this.disposables.add(
      new SagaBacklogStallTimer(this.clock, this.sagas, this.sagaTimeoutMs, () => this.onBacklogStalled()),
    )
    this.leftCheck = this.disposables.add(
      new SagaLeftToHostCheck(this.sagas, this.pipe, (saga) => {
        this.log.warn(`[saga] saga ${saga.id}: the host acked its command without a report`)
        this.fail(saga, REASON_NO_REPORT)
      }),
    )
    this.disposables.add(this.pipe.onDidFailSaga((f) => this.onPipeFailed(f.sagaId, f.reason)))
    // Room frees on acks and on a disconnect. The pump runs after HostPipe's notification
    // returns, never inside it: HostPipe is mid-update while it notifies.
    this.disposables.add(
      this.pipe.onDidChange(() => {
        this.schedulePump()
        this.leftCheck.schedule()
      }),
    )
  }

  /**
   * Starts a saga: `saga_started` now, its command as soon as HostPipe has room. Returns its id.
   * Throws RangeError for a bad `timeoutMs` (a positive integer) or a built-in without its label.
   */
  startSaga(request: SagaRequest, opts: StartSagaOptions = {}): number {
    const saga = this.accept(request, opts)
    this.pump()
    return saga.id
  }

  /** Starts `count` `spawn_pool_window` sagas (1 … MAX_BURST). */
  burst(count: number): BurstResult {
    if (!Number.isInteger(count) || count < 1 || count > MAX_BURST)
      throw new RangeError(`burst count must be an integer from 1 to ${MAX_BURST}, got ${count}`)
    const first = this.startSaga({ cmd: 'spawn_pool_window' })
    for (let i = 1; i < count; i++) this.startSaga({ cmd: 'spawn_pool_window' })
    return { count, firstSagaId: first, lastSagaId: first + count - 1 }
  }

  /**
   * A saga report from the host. Returns true when it ended its saga; false when it was late,
   * for an unknown saga, or of the wrong kind (a buggy host: the saga then runs into its timeout).
   */
  handleReport(report: SagaReport): boolean {
    const saga = this.sagas.getAwaitingReport(report.saga_id)
    if (!saga) {
      if (this.sagas.isEnded(report.saga_id)) {
        // The host did work for a saga its user was already told had ended: what §8 rules out.
        this.counts.lateReports++
        this.counts.lateTerminals++
        this.log.debug(`[saga] ${report.cmd} for saga ${report.saga_id} after it ended: ignored`)
      } else {
        this.counts.ignoredReports++
        this.log.warn(`[saga] ${report.cmd} for saga ${report.saga_id}, which was not issued: ignored`)
      }
      return false
    }
    if (report.cmd === 'report_saga_action_failed') {
      this.fail(saga, report.reason)
      return true
    }
    if (REPORT_FOR[saga.request.cmd] !== report.cmd) {
      this.counts.ignoredReports++
      this.log.warn(`[saga] ${report.cmd} does not answer saga ${saga.id} (${saga.request.cmd}): ignored`)
      return false
    }
    if (report.cmd === 'report_result') {
      this.complete(saga, undefined, report.output)
      return true
    }
    const base = { label: report.label, saga_id: saga.id }
    switch (report.cmd) {
      case 'report_pool_window_added':
        this.complete(saga, (version) => ({ event: 'pool_window_added', ...base, version }))
        break
      case 'report_panes_reaped':
        this.complete(saga, (version) => ({ event: 'panes_reaped', ...base, version }))
        break
      case 'report_pool_drain_decision':
        this.complete(saga, (version) => ({
          event: report.was_last ? 'pool_drained' : 'pool_not_last',
          ...base,
          version,
        }))
        break
    }
    return true
  }

  totals(): SagaTotals {
    const { started, completed, failed, lateReports } = this.counts
    return { started, completed, failed, inFlight: this.sagas.openCount, lateReports }
  }

  stats(): SagaCoordinatorStats {
    return {
      ...this.totals(),
      backlog: this.sagas.backlogSize,
      lateTerminals: this.counts.lateTerminals,
      awaitingHost: this.sagas.leftToHostCount,
      ignoredReports: this.counts.ignoredReports,
    }
  }

  /**
   * Cancels an open saga; the saga still ends exactly once, with the truth. Not yet issued, or
   * its command still buffered: removed unsent, `saga_failed{reason}` now. In flight on a
   * deadline-aware host: `cancel_saga` goes to the host, whose report ends the saga (`cancelled`
   * if the command had not started; a running handler's signal fires and its outcome counts).
   * In flight on a host without the feature: failed now, as AgentMux would; that host may still
   * execute the command. Default reason `cancelled`.
   */
  cancelSaga(sagaId: number, reason: string = REASON_CANCELLED): SagaCancelOutcome {
    const saga = this.sagas.getOpen(sagaId)
    if (!saga) return 'not-open'
    if (saga.deadline !== undefined && this.isInFlightOnDeadlineHost(saga)) {
      this.pipe.sendControl({ cmd: 'cancel_saga', saga_id: sagaId }).catch((err: unknown) => {
        // The host is gone: HostPipe fails the saga's in-flight command with the host's loss.
        this.log.debug(`[saga] cancel_saga ${sagaId} not sent: ${String(err)}`)
      })
      return 'sent-to-host'
    }
    this.fail(saga, reason)
    return 'failed'
  }

  /** Open sagas whose command was handed to HostPipe (for liveness: work written to a host). */
  get issuedCount(): number {
    return this.sagas.issuedCount + this.sagas.leftToHostCount
  }

  /**
   * The earliest timeout moment (coordinator clock) among sagas left to a deadline-aware host, or
   * undefined. A host still holding one `--unresponsive-ms` past it is hung (§8).
   */
  oldestOverdueDeadline(): number | undefined {
    const oldest = this.sagas.leftToHostSagas().next().value
    return oldest?.deadline
  }

  /** Fails every open saga (`saga coordinator disposed`), clears timers and subscriptions. */
  dispose(): void {
    if (this.isDisposed) return
    this.isDisposed = true
    this.disposables.dispose()
    this.sagas.stopWaiting()
    for (const saga of this.sagas.openSagas()) this.fail(saga, REASON_COORDINATOR_DISPOSED)
  }

  // ---------------------------------------------------------------------------------------------
  // Starting and issuing

  private accept(request: SagaRequest, opts: StartSagaOptions): Saga {
    if (this.isDisposed) throw new Error('saga coordinator is disposed')
    if (
      (request.cmd === 'reap_panes' || request.cmd === 'drain_pool_if_last') &&
      (typeof request.label !== 'string' || request.label.length === 0)
    )
      throw new RangeError(`${request.cmd} needs a non-empty label`)
    const timeoutMs = positiveIntOption('timeoutMs', opts.timeoutMs, this.sagaTimeoutMs)
    const waiting = this.sagas.backlogSize
    const saga = this.sagas.add({
      request,
      timeoutMs,
      onEnd: opts.onEnd,
      onTimeout: opts.onTimeout,
      retry: opts.retry ?? (request.cmd !== 'custom' && RETRYABLE_COMMANDS.has(request.cmd)),
      deadline: undefined,
      wallDeadline: undefined,
    })
    this.counts.started++
    this.events.emit({
      event: 'saga_started',
      saga_id: saga.id,
      name: request.cmd === 'custom' ? request.name : request.cmd,
      version: this.events.nextVersion(),
    })
    if (waiting >= this.maxBacklog) {
      this.fail(saga, REASON_BACKLOG_FULL)
      return saga
    }
    if (waiting === 0) this.stallTimer.noteMoved(this.clock.now())
    return saga
  }

  private schedulePump(): void {
    if (this.isPumpScheduled || this.sagas.backlogSize === 0 || this.isDisposed) return
    this.isPumpScheduled = true
    queueMicrotask(() => {
      this.isPumpScheduled = false
      if (!this.isDisposed) this.pump()
    })
  }

  private pump(): void {
    // issue() calls into HostPipe, whose notifications schedule (never run) another pump, so this
    // guard only matters if a caller re-enters through an event listener.
    if (this.isPumping) return
    this.isPumping = true
    try {
      while (this.sagas.backlogSize > 0 && this.hasRoom()) {
        const saga = this.sagas.takeNextToIssue()
        if (saga) this.issue(saga)
      }
    } finally {
      this.isPumping = false
    }
    this.stallTimer.arm()
  }

  private hasRoom(): boolean {
    const s = this.pipe.snapshot()
    return !s.connected || s.inFlight + s.pending < this.pipe.maxInFlight
  }

  private issue(saga: Saga): void {
    const now = this.clock.now()
    this.stallTimer.noteMoved(now)
    saga.deadline = now + saga.timeoutMs
    saga.wallDeadline = this.wallNow() + saga.timeoutMs
    this.sagas.markIssued(saga)
    this.timeouts.track(saga.id, saga.deadline)
    // Registered before the send: HostPipe may fail the saga synchronously inside it.
    this.pipe.sendCommand(this.commandOf(saga), { retry: saga.retry }).catch((err: unknown) => {
      // WRITE_FAILED keeps the frame (HostPipe still delivers or fails it); anything else means
      // the command will never reach the host.
      if (err instanceof HostPipeError && err.code === 'WRITE_FAILED') return
      const live = this.sagas.getIssued(saga.id)
      if (live)
        this.fail(live, `host pipe refused the command: ${err instanceof Error ? err.message : String(err)}`)
    })
  }

  private commandOf(saga: Saga): HostCommand {
    const request = saga.request
    if (request.cmd !== 'custom') return { ...request, saga_id: saga.id, deadline: saga.wallDeadline }
    // The envelope fields first, as §9 shows them; defineCommands refuses input fields of those names.
    const head = { cmd: request.name, saga_id: saga.id, deadline: saga.wallDeadline }
    return { ...head, ...request.input, ...head }
  }

  private isInFlightOnDeadlineHost(saga: Saga): boolean {
    return this.hostHonoursDeadlines() && this.pipe.sagaCommandState(saga.id) === 'in-flight'
  }

  // ---------------------------------------------------------------------------------------------
  // Terminals: each saga reaches exactly one of these, once.

  private complete(saga: Saga, outcome: ((version: number) => Event) | undefined, output?: unknown): void {
    this.close(saga)
    this.counts.completed++
    this.pipe.cancelSaga(saga.id)
    if (outcome) this.events.emit(outcome(this.events.nextVersion()))
    this.events.emit({ event: 'saga_completed', saga_id: saga.id, version: this.events.nextVersion() })
    saga.onEnd?.({ ok: true, output })
  }

  private fail(saga: Saga, reason: string): void {
    const wasIssued = saga.deadline !== undefined
    this.close(saga)
    this.counts.failed++
    if (wasIssued) this.pipe.cancelSaga(saga.id)
    this.events.emit({ event: 'saga_failed', saga_id: saga.id, reason, version: this.events.nextVersion() })
    saga.onEnd?.({ ok: false, reason })
  }

  /**
   * HostPipe failed the saga and publishes its `saga_failed` itself: close it without a second.
   * No `cancelSaga` either: HostPipe purges the saga's other frames as it fails it.
   */
  private onPipeFailed(sagaId: number, reason: string): void {
    const saga = this.sagas.getOpen(sagaId)
    if (!saga) {
      if (this.sagas.isEnded(sagaId)) this.counts.lateTerminals++
      return
    }
    this.close(saga)
    this.counts.failed++
    saga.onEnd?.({ ok: false, reason })
  }

  private close(saga: Saga): void {
    this.sagas.close(saga)
  }

  // ---------------------------------------------------------------------------------------------
  // Timers: what a timeout or a stalled backlog means for the sagas concerned.

  private onTimeoutsDue(): void {
    let leftCount = 0
    for (const saga of this.timeouts.takeDue()) {
      saga.onTimeout?.()
      if (!this.sagas.isIssued(saga.id)) continue
      if (this.isInFlightOnDeadlineHost(saga)) {
        this.sagas.leaveToHost(saga)
        leftCount++
        continue
      }
      this.log.warn(`[saga] saga ${saga.id} (${saga.request.cmd}) timed out after ${saga.timeoutMs} ms`)
      this.fail(saga, REASON_SAGA_TIMEOUT)
    }
    if (leftCount > 0)
      this.log.info(
        `[saga] ${leftCount} saga(s) timed out in flight on a deadline-aware host: its reports decide them`,
      )
    this.timeouts.arm()
  }

  private onBacklogStalled(): void {
    const stuck = this.sagas.takeBacklog()
    this.log.warn(
      `[saga] host accepted no command for ${this.sagaTimeoutMs} ms: failing ${stuck.length} waiting saga(s)`,
    )
    for (const saga of stuck) this.fail(saga, REASON_SAGA_TIMEOUT)
  }
}
