import { MAX_BURST, type SagaTotals } from '../../shared/diagnostics'
import { REASON_CANCELLED, type Event, type HostCommand, type SagaReport } from '../../shared/protocol'
import { DisposableStore } from '../base/disposable'
import { positiveIntOption } from '../base/integer-option'
import { TimerSlot } from '../base/timer-slot'
import { HostPipeError, type HostPipe } from '../host-pipe'
import { systemClock, type Clock } from '../base/clock'
import { silentLogger, type Logger } from '../base/logger'
import type { LauncherEvents } from './launcher-events'
import { SagaDeadlineHeap } from './saga-deadline-heap'

/** How long an issued saga may wait for its report (AgentMux's value). */
export const SAGA_TIMEOUT_MS = 5_000
export const REASON_SAGA_TIMEOUT = 'saga timeout'
export const REASON_BACKLOG_FULL = 'saga backlog full'
export const REASON_COORDINATOR_DISPOSED = 'saga coordinator disposed'
/** A deadline-aware host acked a saga's command past its timeout without reporting on it. */
export const REASON_NO_REPORT = 'host acked without a report'

/**
 * The saga commands, without their saga id (the coordinator assigns it): the three built-in ones,
 * or an app-defined command (§9) by `name`, whose `input` fields (already validated) travel
 * flattened beside `cmd`, `saga_id` and `deadline`.
 */
export type SagaRequest =
  | { cmd: 'spawn_pool_window' }
  | { cmd: 'reap_panes'; label: string }
  | { cmd: 'drain_pool_if_last'; label: string }
  | { cmd: 'custom'; name: string; input: Readonly<Record<string, unknown>> }

/** Per-saga options of `startSaga`. */
export interface StartSagaOptions {
  /** This saga's timeout in ms, counted from when it is issued. Default: `sagaTimeoutMs`. */
  timeoutMs?: number
  /** Called once when the saga ends, after its terminal event is published (for `call`, §9). */
  onEnd?(end: SagaEnd): void
  /**
   * Called when its timeout passes while it is still open (it then fails, or is left to a
   * deadline-aware host's verdict): its caller stops waiting (§9).
   */
  onTimeout?(): void
  /**
   * Retry its command on host loss (§8; HostPipe's `sendCommand(cmd, {retry})`). Default: whether
   * its kind is in RETRYABLE_COMMANDS (false for app-defined commands, whose definition's `retry`
   * flag is passed here by `call`).
   */
  retry?: boolean
}

/** How a saga ended, for whoever started it (the event bus carries the same in events). */
export type SagaEnd = { ok: true; output: unknown } | { ok: false; reason: string }

/** What the coordinator uses of HostPipe. */
export type SagaPipe = Pick<
  HostPipe,
  | 'sendCommand'
  | 'cancelSaga'
  | 'snapshot'
  | 'onDidChange'
  | 'onDidFailSaga'
  | 'maxInFlight'
  | 'sagaCommandState'
  | 'sendControl'
>
/** What the coordinator uses of the launcher's event bus: it publishes there, never listens. */
export type SagaEventBus = Pick<LauncherEvents, 'emit' | 'nextVersion'>

export interface SagaCoordinatorOptions {
  /** The pipe its commands go through; its `onDidFailSaga` closes sagas here. */
  pipe: SagaPipe
  /** Where saga events are published. */
  events: SagaEventBus
  clock?: Clock
  /** The wall clock a command's `deadline` is stated in (epoch ms, §8). Default Date.now. */
  wallNow?: () => number
  /**
   * Whether the connected host registered with feature `"deadline"`. Its in-flight commands are
   * then left to its verdict when their saga times out. Default: never (AgentMux behaviour).
   */
  hostHonoursDeadlines?: () => boolean
  /** Default SAGA_TIMEOUT_MS. */
  sagaTimeoutMs?: number
  /** Sagas waiting to be issued; beyond this a new saga fails at once. Default MAX_BURST. */
  maxBacklog?: number
  log?: Logger
}

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

/**
 * The built-in AgentMux kinds retried on host loss (ARCHITECTURE §8): the ones safe to run twice.
 * `reap_panes` and `drain_pool_if_last` act on a label and are idempotent: reaping panes already
 * reaped, or draining a pool already drained, changes nothing, and a new host judges "last" on its
 * own pool. `spawn_pool_window` is not: run twice it opens two windows, so it stays at-most-once.
 */
export const RETRYABLE_COMMANDS: ReadonlySet<Exclude<SagaRequest['cmd'], 'custom'>> = new Set([
  'reap_panes',
  'drain_pool_if_last',
])

/** The per-saga options of `startSaga` under their earlier name. */
export type SagaOptions = StartSagaOptions

interface Saga {
  readonly id: number
  readonly request: SagaRequest
  /** ms from issue to its timeout. */
  readonly timeoutMs: number
  readonly onEnd: ((end: SagaEnd) => void) | undefined
  readonly onTimeout: (() => void) | undefined
  readonly retry: boolean
  /** When its timeout fires (coordinator clock); undefined while it waits in the backlog. */
  deadline: number | undefined
  /** The same moment on the wall clock: the `deadline` its command carries (§8). */
  wallDeadline: number | undefined
}

/** What `cancelSaga` did. */
export type SagaCancelOutcome =
  /** It had not reached a host, or its host cannot honour a cancel: `saga_failed` now. */
  | 'failed'
  /** In flight on a deadline-aware host: `cancel_saga` sent; the host's report ends the saga. */
  | 'sent-to-host'
  /** No open saga with that id. */
  | 'not-open'

const REPORT_FOR: Record<SagaRequest['cmd'], SagaReport['cmd']> = {
  spawn_pool_window: 'report_pool_window_added',
  reap_panes: 'report_panes_reaped',
  drain_pool_if_last: 'report_pool_drain_decision',
  custom: 'report_result',
}

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

  private nextSagaId = 1
  /** Every saga without a terminal event yet. */
  private readonly open = new Map<number, Saga>()
  /** Open sagas handed to HostPipe, in issue order (their timeouts are in `deadlines`). */
  private readonly issued = new Map<number, Saga>()
  /** Sagas past their timeout left to a deadline-aware host, in the order they timed out. */
  private readonly leftToHost = new Map<number, Saga>()
  private isLeftCheckScheduled = false
  /**
   * Sagas are issued in id order, so the backlog needs no queue of its own: it is the open sagas
   * from this id on (every saga below it was issued or has ended).
   */
  private nextToIssue = 1
  private readonly disposables = new DisposableStore()
  private readonly timeoutTimer: TimerSlot
  /** The issued sagas' timeout moments: one timer for sagas whose timeouts differ. */
  private readonly deadlines = new SagaDeadlineHeap()
  private readonly stallTimer: TimerSlot
  /** When the backlog last moved (or started waiting). */
  private backlogMovedAt = 0
  private isPumping = false
  /** The timeout moment the timer is armed for. */
  private armedFor: number | undefined
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
    this.timeoutTimer = this.disposables.add(new TimerSlot(this.clock))
    this.stallTimer = this.disposables.add(new TimerSlot(this.clock))
    this.disposables.add(this.pipe.onDidFailSaga((f) => this.onPipeFailed(f.sagaId, f.reason)))
    // Room frees on acks and on a disconnect. The pump runs after HostPipe's notification
    // returns, never inside it: HostPipe is mid-update while it notifies.
    this.disposables.add(
      this.pipe.onDidChange(() => {
        this.schedulePump()
        this.scheduleLeftCheck()
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
    const saga = this.issued.get(report.saga_id) ?? this.leftToHost.get(report.saga_id)
    if (!saga) {
      if (this.isEnded(report.saga_id)) {
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
    return { started, completed, failed, inFlight: this.open.size, lateReports }
  }

  stats(): SagaCoordinatorStats {
    return {
      ...this.totals(),
      backlog: this.backlogSize,
      lateTerminals: this.counts.lateTerminals,
      awaitingHost: this.leftToHost.size,
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
    const saga = this.open.get(sagaId)
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
    return this.issued.size + this.leftToHost.size
  }

  /**
   * The earliest timeout moment (coordinator clock) among sagas left to a deadline-aware host, or
   * undefined. A host still holding one `--unresponsive-ms` past it is hung (§8).
   */
  oldestOverdueDeadline(): number | undefined {
    const oldest = this.leftToHost.values().next().value
    return oldest?.deadline
  }

  /** Fails every open saga (`saga coordinator disposed`), clears timers and subscriptions. */
  dispose(): void {
    if (this.isDisposed) return
    this.isDisposed = true
    this.disposables.dispose()
    this.leftToHost.clear()
    this.deadlines.clear()
    this.nextToIssue = this.nextSagaId
    for (const saga of [...this.open.values()]) this.fail(saga, REASON_COORDINATOR_DISPOSED)
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
    const waiting = this.backlogSize
    const saga: Saga = {
      id: this.nextSagaId++,
      request,
      timeoutMs,
      onEnd: opts.onEnd,
      onTimeout: opts.onTimeout,
      retry: opts.retry ?? (request.cmd !== 'custom' && RETRYABLE_COMMANDS.has(request.cmd)),
      deadline: undefined,
      wallDeadline: undefined,
    }
    this.open.set(saga.id, saga)
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
    if (waiting === 0) this.backlogMovedAt = this.clock.now()
    return saga
  }

  private schedulePump(): void {
    if (this.isPumpScheduled || this.backlogSize === 0 || this.isDisposed) return
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
      while (this.backlogSize > 0 && this.hasRoom()) {
        const saga = this.open.get(this.nextToIssue++)
        if (saga) this.issue(saga)
      }
    } finally {
      this.isPumping = false
    }
    this.armStallTimer()
  }

  private hasRoom(): boolean {
    const s = this.pipe.snapshot()
    return !s.connected || s.inFlight + s.pending < this.pipe.maxInFlight
  }

  private issue(saga: Saga): void {
    const now = this.clock.now()
    this.backlogMovedAt = now
    saga.deadline = now + saga.timeoutMs
    saga.wallDeadline = this.wallNow() + saga.timeoutMs
    this.issued.set(saga.id, saga)
    this.deadlines.push({ deadline: saga.deadline, sagaId: saga.id })
    this.deadlines.compact((e) => this.issued.has(e.sagaId), this.issued.size)
    this.armTimeoutTimer()
    // Registered before the send: HostPipe may fail the saga synchronously inside it.
    this.pipe.sendCommand(this.commandOf(saga), { retry: saga.retry }).catch((err: unknown) => {
      // WRITE_FAILED keeps the frame (HostPipe still delivers or fails it); anything else means
      // the command will never reach the host.
      if (err instanceof HostPipeError && err.code === 'WRITE_FAILED') return
      const live = this.issued.get(saga.id)
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
    const saga = this.open.get(sagaId)
    if (!saga) {
      if (this.isEnded(sagaId)) this.counts.lateTerminals++
      return
    }
    this.close(saga)
    this.counts.failed++
    saga.onEnd?.({ ok: false, reason })
  }

  private close(saga: Saga): void {
    this.open.delete(saga.id)
    this.issued.delete(saga.id)
    this.leftToHost.delete(saga.id)
  }

  /** The open sagas not yet issued. */
  private get backlogSize(): number {
    return this.open.size - this.issued.size - this.leftToHost.size
  }

  private isEnded(sagaId: number): boolean {
    return sagaId >= 1 && sagaId < this.nextSagaId && !this.open.has(sagaId)
  }

  // ---------------------------------------------------------------------------------------------
  // Timers. One timer each, not one per saga: a burst issues thousands of sagas at once.

  /**
   * Due for the earliest timeout among issued sagas; a saga that ends early leaves it to fire and
   * re-arm. Re-armed earlier when a saga with a shorter timeout is issued after it.
   */
  private armTimeoutTimer(): void {
    if (this.isDisposed) return
    const next = this.nextLiveDeadline()
    if (next === undefined) return
    if (this.timeoutTimer.isArmed) {
      if (this.armedFor !== undefined && this.armedFor <= next) return
      this.timeoutTimer.clear()
    }
    this.armedFor = next
    this.timeoutTimer.set(() => this.onTimeoutTimer(), Math.max(0, next - this.clock.now()))
  }

  /** The earliest timeout of a saga still issued; entries of sagas that ended are dropped. */
  private nextLiveDeadline(): number | undefined {
    for (let top = this.deadlines.peek(); top; top = this.deadlines.peek()) {
      if (this.issued.get(top.sagaId)?.deadline === top.deadline) return top.deadline
      this.deadlines.pop()
    }
    return undefined
  }

  private onTimeoutTimer(): void {
    this.armedFor = undefined
    const now = this.clock.now()
    let leftCount = 0
    for (let top = this.deadlines.peek(); top && top.deadline <= now; top = this.deadlines.peek()) {
      this.deadlines.pop()
      const saga = this.issued.get(top.sagaId)
      if (!saga || saga.deadline !== top.deadline) continue
      saga.onTimeout?.()
      if (!this.issued.has(saga.id)) continue
      if (this.isInFlightOnDeadlineHost(saga)) {
        this.issued.delete(saga.id)
        this.leftToHost.set(saga.id, saga)
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
    this.armTimeoutTimer()
  }

  private scheduleLeftCheck(): void {
    if (this.isLeftCheckScheduled || this.leftToHost.size === 0 || this.isDisposed) return
    this.isLeftCheckScheduled = true
    queueMicrotask(() => {
      this.isLeftCheckScheduled = false
      if (!this.isDisposed) this.failAckedWithoutReport()
    })
  }

  /**
   * A saga left to its host ends with the host's report, which comes before the ack. One whose
   * command HostPipe no longer holds was acked with no report (a host losing it fails it in
   * HostPipe first): fail it rather than wait forever. Oldest first, stopping at the first still
   * in flight: acks are cumulative, so later ones are in flight too.
   */
  private failAckedWithoutReport(): void {
    for (const saga of this.leftToHost.values()) {
      if (this.pipe.sagaCommandState(saga.id) !== undefined) return
      this.log.warn(`[saga] saga ${saga.id}: the host acked its command without a report`)
      this.fail(saga, REASON_NO_REPORT)
    }
  }

  private armStallTimer(): void {
    if (this.stallTimer.isArmed || this.backlogSize === 0 || this.isDisposed) return
    const delay = Math.max(0, this.backlogMovedAt + this.sagaTimeoutMs - this.clock.now())
    this.stallTimer.set(() => this.onStallTimer(), delay)
  }

  private onStallTimer(): void {
    if (this.backlogSize === 0) return
    if (this.clock.now() - this.backlogMovedAt >= this.sagaTimeoutMs) {
      const stuck: Saga[] = []
      for (; this.nextToIssue < this.nextSagaId; this.nextToIssue++) {
        const saga = this.open.get(this.nextToIssue)
        if (saga) stuck.push(saga)
      }
      this.log.warn(
        `[saga] host accepted no command for ${this.sagaTimeoutMs} ms: failing ${stuck.length} waiting saga(s)`,
      )
      for (const saga of stuck) this.fail(saga, REASON_SAGA_TIMEOUT)
      return
    }
    this.armStallTimer()
  }
}
