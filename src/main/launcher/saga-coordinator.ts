import {
  agentMuxCommands,
  readAgentMuxReport,
  reportTagFor,
  type AgentMuxResult,
} from '../../shared/agentmux-commands'
import type { SagaTotals } from '../../shared/diagnostics'
import { REASON_CANCELLED, type HostCommand, type SagaReport } from '../../shared/protocol'
import { systemClock, type Clock } from '../base/clock'
import { DisposableStore } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import { positiveIntOption } from '../base/integer-option'
import { IdMap } from '../base/id-map'
import { silentLogger, type Logger } from '../base/logger'
import { TimeoutLists, type TimedItem } from '../base/timeout-lists'
import { CallHead, HostPipeError, type HostPipe } from '../host-pipe'
import type { CommandRefusal, RouteOptions } from './call-router'
import { HostVerdicts, type SagaCancelOutcome } from './host-verdicts'
import type { LauncherEvents } from './launcher-events'
import { HostLossReasons, mayHaveRun, refusalOf, stopReason } from './saga-failure-reasons'
import { SagaCounts, type SagaCoordinatorStats, type SagaRecord } from './saga-stats'

/** How long a saga may take when its caller gives no timeout (AgentMux's value). */
export const SAGA_TIMEOUT_MS = 5_000
export const REASON_COORDINATOR_DISPOSED = 'saga coordinator disposed'

/**
 * A saga's command without its saga id (the coordinator assigns it): one of the AgentMux
 * commands, or an app-defined command by `name`, whose validated `input` fields travel flattened
 * beside `cmd`, `saga_id` and `deadline` (docs/protocol.md#commands).
 */
export type SagaRequest =
  | { cmd: 'spawn_pool_window' }
  | { cmd: 'reap_panes'; label: string }
  | { cmd: 'drain_pool_if_last'; label: string }
  | { cmd: 'custom'; name: string; input: Readonly<Record<string, unknown>> }

/** How a saga ended, for its starter; a failure says whether its timeout had passed by then. */
export type SagaEnd =
  | { ok: true; sagaId: number; output: unknown }
  | {
      ok: false
      sagaId: number
      reason: string
      isPastTimeout: boolean
      /** What the caller gets instead of a SagaFailedError: the pipe refused the command (PAYLOAD_TOO_LARGE). */
      error?: HostPipeError
    }

/** Per-saga options of `startSaga`, kept until the saga ends (its methods are called on it). */
export interface StartSagaOptions {
  /**
   * ms from the start to its timeout, a positive integer; `Infinity` for none (its command then
   * carries no `deadline`; a hung host is still found by liveness). Default: `sagaTimeoutMs`.
   */
  timeoutMs?: number
  /** Called once when the saga ends, after its terminal event is published. */
  onEnd?(end: SagaEnd): void
  /**
   * Called when its timeout passes while it is open (it then fails, or is left to a
   * deadline-aware host's verdict): the caller stops waiting.
   */
  onTimeout?(): void
  /**
   * Send its command again to the next host if its host is lost with it in flight
   * (docs/protocol.md#retry-on-host-loss). Default: the `retry` of an AgentMux command's
   * definition (`agentMuxCommands`), false for an app's command.
   */
  retry?: boolean
  /**
   * An app call's key (its definition's `key(input)`): calls with the same key run one at a time,
   * in call order, on one host (docs/parallel-work.md#keys). Only with a router as the pipe.
   */
  key?: string
  /** −1 when the caller knows an app call's input holds no bytes: nothing walks it for them. */
  blockBytes?: number
}

/** What the coordinator uses of HostPipe, or of the router in front of a pool's pipes. */
export type SagaPipe = Pick<
  HostPipe,
  'cancelSaga' | 'onDidFailSaga' | 'sagaCommandState' | 'sendControl' | 'isQueueFull'
> & {
  /** Hands the command (and an app call's input) over; returns a refusal, never throws (CallRouter). */
  postCommand(cmd: HostCommand, o?: RouteOptions, fields?: object): HostPipeError | undefined
  onDidChange?: Listenable<unknown>
  /** A command that waited in the router was refused when its turn came (see CallRouter). */
  onDidRefuseCommand?: Listenable<CommandRefusal>
}

/** How a `SagaCoordinator` is put together. Every option but `pipe` and `events` has a default. */
export interface SagaCoordinatorOptions {
  /** The pipe its commands go through; it tells the coordinator of every saga it fails. */
  pipe: SagaPipe
  /** Where saga events go (a call's start and end only while `isObserved`); never listened to. */
  events: Pick<LauncherEvents, 'emit' | 'nextVersion'> & { readonly isObserved?: boolean }
  clock?: Clock
  /** The wall clock a command's `deadline` is stated in (epoch ms). Default Date.now. */
  wallNow?: () => number
  /**
   * Whether the connected host registered with feature `"deadline"`: its in-flight commands are
   * then left to its verdict when their saga times out. Default: never (AgentMux behaviour).
   */
  hostHonoursDeadlines?: () => boolean
  /** Default SAGA_TIMEOUT_MS. */
  sagaTimeoutMs?: number
  /** Why a lost host went, told by its owner (the launcher). Default: one that nobody tells. */
  hostLoss?: HostLossReasons
  log?: Logger
}

/** One open saga. */
interface Saga extends SagaRecord, TimedItem<Saga> {
  readonly request: SagaRequest
  failure: string | undefined
  endedAt: number | undefined
  /** Whoever started it: told of its timeout and its end. */
  readonly starter: StartSagaOptions
  /** The same moment as `deadline` on the wall clock, the `deadline` its command carries; undefined without a timeout. */
  readonly wallDeadline: number | undefined
  /** Past its timeout, in flight on a deadline-aware host: that host's report decides. */
  isLeftToHost: boolean
  /** Lost with its host, failing once that host's exit is known: the reason it fails with, whatever comes first. */
  lostReason?: string
}

/**
 * Runs sagas, and is the one place that decides and publishes how each ends: one command each,
 * closed by exactly one terminal event — the host's report, the timeout, a cancel, or the loss of
 * its frame, which HostPipe reports here (`onDidFailSaga`) without publishing anything itself.
 * What comes after the first terminal is ignored and counted. A command goes to the pipe when its
 * saga starts; a connected pipe holds what exceeds its in-flight window (up to `maxQueued`).
 *
 * Deadlines, after gRPC's deadline propagation: each command carries the wall-clock moment its
 * saga times out. At the timeout a saga in flight on a host with feature `"deadline"` is left to
 * that host's report or loss; any other fails (`saga timeout`), as with AgentMux (HostVerdicts).
 */
export class SagaCoordinator {
  private readonly pipe: SagaPipe
  private readonly events: SagaCoordinatorOptions['events']
  private readonly clock: Clock
  /** Undefined when the coordinator's clock is the wall clock: `startSaga` then reads it once. */
  private readonly wallNow: (() => number) | undefined
  private readonly sagaTimeoutMs: number
  private readonly log: Logger
  private readonly disposables = new DisposableStore()
  private readonly didStart = this.disposables.add(new Emitter<SagaRecord>())
  private readonly didEnd = this.disposables.add(new Emitter<SagaRecord>())
  /** Every saga once `saga_started` is out, for per-command statistics. */
  readonly onDidStartSaga: Listenable<SagaRecord> = this.didStart.event
  /** Every saga as it ends, before its terminal event goes out (`failure` says how). */
  readonly onDidEndSaga: Listenable<SagaRecord> = this.didEnd.event
  private readonly open = new IdMap<Saga>()
  /** Open sagas with a timeout. */
  private readonly timeouts: TimeoutLists<Saga>
  /** Sagas past their timeout, or cancelled, whose deadline-aware host decides. */
  private readonly verdicts: HostVerdicts<Saga>
  private readonly hostLoss: HostLossReasons
  private nextSagaId = 1
  private isDisposed = false
  private readonly counts = new SagaCounts()

  constructor(opts: SagaCoordinatorOptions) {
    this.pipe = opts.pipe
    this.events = opts.events
    this.clock = opts.clock ?? systemClock
    this.wallNow = opts.wallNow ?? (this.clock === systemClock ? undefined : Date.now)
    this.sagaTimeoutMs = positiveIntOption('sagaTimeoutMs', opts.sagaTimeoutMs, SAGA_TIMEOUT_MS)
    this.log = opts.log ?? silentLogger
    this.hostLoss = opts.hostLoss ?? new HostLossReasons()
    this.timeouts = this.disposables.add(new TimeoutLists<Saga>(this.clock, (saga) => this.onTimedOut(saga)))
    const honours = opts.hostHonoursDeadlines ?? (() => false)
    this.verdicts = new HostVerdicts<Saga>(this.pipe, honours, this.log, (saga, why) => this.fail(saga, why))
    this.disposables.add(this.pipe.onDidFailSaga((f) => this.onFrameLost(f.sagaId, f.reason)))
    if (this.pipe.onDidRefuseCommand)
      this.disposables.add(this.pipe.onDidRefuseCommand((r) => this.onRefused(r.sagaId, r.error)))
  }

  /**
   * Starts a saga: `saga_started`, then its command goes to the pipe. Returns its id. Throws a
   * RangeError for a bad `timeoutMs` or an AgentMux command without its label, and a HostPipeError
   * QUEUE_FULL when the pipe holds `maxQueued` commands already (nothing is started or sent).
   */
  startSaga(request: SagaRequest, opts: StartSagaOptions = {}): number {
    if (this.isDisposed) throw new Error('saga coordinator is disposed')
    if ((request.cmd === 'reap_panes' || request.cmd === 'drain_pool_if_last') && !request.label)
      throw new RangeError(`${request.cmd} needs a non-empty label`)
    const timeoutMs =
      opts.timeoutMs === Infinity
        ? Infinity
        : positiveIntOption('timeoutMs', opts.timeoutMs, this.sagaTimeoutMs)
    if (this.pipe.isQueueFull)
      throw new HostPipeError('QUEUE_FULL', `the launcher already holds the most calls it may queue`)
    const now = this.clock.now()
    const name = request.cmd === 'custom' ? request.name : request.cmd
    const saga: Saga = {
      id: this.nextSagaId++,
      name,
      startedAt: now,
      failure: undefined,
      endedAt: undefined,
      request,
      timeoutMs,
      deadline: now + timeoutMs,
      wallDeadline: timeoutMs === Infinity ? undefined : (this.wallNow?.() ?? now) + timeoutMs,
      starter: opts,
      isLeftToHost: false,
      timedIn: undefined,
      prevTimed: undefined,
      nextTimed: undefined,
    }
    this.open.set(saga.id, saga)
    this.counts.started++
    if (this.events.isObserved !== false)
      this.events.emit({ event: 'saga_started', saga_id: saga.id, name, version: this.events.nextVersion() })
    this.didStart.fire(saga)
    if (timeoutMs !== Infinity) this.timeouts.add(saga)
    const retry = opts.retry ?? (request.cmd !== 'custom' && agentMuxCommands[request.cmd].retry === true)
    // A refusal, even inside the send (a full outage buffer), ends it after the caller has its id.
    const input = request.cmd === 'custom' ? request.input : undefined
    const route = routeOf(request.cmd === 'custom', retry, opts.key, opts.blockBytes)
    const refusal = this.pipe.postCommand(commandOf(saga), route, input)
    if (refusal) queueMicrotask(() => this.onRefused(saga.id, refusal))
    return saga.id
  }

  /** The pipe (or the router, for a call that waited) refused the saga's command. */
  private onRefused(sagaId: number, err: unknown): void {
    const live = this.open.get(sagaId)
    const refusal = live && refusalOf(err)
    if (refusal) this.fail(live, refusal.reason, false, refusal.error)
  }

  /** A host's report, received at `receivedAt` (default now); false when late, stray or of the wrong kind. */
  handleReport(report: SagaReport, receivedAt?: number): boolean {
    const saga = this.open.get(report.saga_id)
    if (!saga) return this.counts.strayReport(report, this.isEnded(report.saga_id), this.log)
    if (report.cmd === 'report_saga_action_failed') {
      this.fail(saga, report.reason, false, undefined, receivedAt)
      return true
    }
    const cmd = saga.request.cmd
    if ((cmd === 'custom' ? 'report_result' : reportTagFor(agentMuxCommands[cmd])) !== report.cmd) {
      this.counts.ignoredReports++
      this.log.warn(`[saga] ${report.cmd} does not answer saga ${saga.id} (${cmd}): ignored`)
      return false
    }
    if (report.cmd === 'report_result') this.complete(saga, undefined, report.output, receivedAt)
    else this.complete(saga, readAgentMuxReport(report), undefined, receivedAt)
    return true
  }

  totals(): SagaTotals {
    return this.counts.totals(this.open.size)
  }

  stats(): SagaCoordinatorStats {
    return this.counts.stats(this.open.size, this.verdicts.size)
  }

  /**
   * Cancels an open saga, which still ends once, with the truth: in flight on a deadline-aware
   * host, `cancel_saga` goes to the host and its report decides; otherwise it fails now (a host
   * without the feature may still run it, as with AgentMux). Default reason `cancelled`.
   */
  cancelSaga(sagaId: number, reason: string = REASON_CANCELLED): SagaCancelOutcome {
    const saga = this.open.get(sagaId)
    return saga ? this.verdicts.cancel(saga, reason) : 'not-open'
  }

  /** Open sagas: each one's command was handed to the pipe (for liveness: work sent to a host). */
  get issuedCount(): number {
    return this.open.size
  }

  /**
   * The earliest timeout moment (coordinator clock) among sagas left to a deadline-aware host (of
   * those `where` accepts: one pool slot's), or undefined. A host still holding one `unresponsiveMs` past it is hung.
   */
  oldestOverdueDeadline(where?: (sagaId: number) => boolean): number | undefined {
    return this.verdicts.oldestOverdueDeadline(where)
  }

  /**
   * Fails every open saga (`<cause> before the call was sent`, or `host disconnected before ack
   * (<cause>)` for one a host had; `saga coordinator disposed` without a cause), clears timers.
   */
  dispose(cause?: string): void {
    if (this.isDisposed) return
    this.isDisposed = true
    this.disposables.dispose()
    this.verdicts.dispose()
    for (const saga of this.open.values()) {
      if (cause === undefined) this.fail(saga, REASON_COORDINATOR_DISPOSED)
      else this.fail(saga, stopReason(cause, this.pipe.sagaCommandState(saga.id) === 'buffered'))
    }
  }

  // Terminals: each saga reaches exactly one of these, once.

  /** `agentMux`: an AgentMux report, whose outcome event goes out before `saga_completed`. */
  private complete(saga: Saga, agentMux: AgentMuxResult | undefined, output: unknown, at?: number): void {
    this.close(saga, at)
    this.counts.completed++
    this.pipe.cancelSaga(saga.id)
    this.didEnd.fire(saga)
    if (agentMux) this.events.emit(agentMux.event(saga.id, this.events.nextVersion()))
    if (this.events.isObserved !== false)
      this.events.emit({ event: 'saga_completed', saga_id: saga.id, version: this.events.nextVersion() })
    saga.starter.onEnd?.({ ok: true, sagaId: saga.id, output: agentMux ? agentMux.output : output })
  }

  /** `at`: when it ended (a report's arrival); default now. */
  private fail(saga: Saga, reason: string, isPurged = false, error?: HostPipeError, at?: number): void {
    // Lost with its host, it may have run: whatever ends it while its host's exit is awaited says so.
    if (saga.lostReason !== undefined && !mayHaveRun(reason)) {
      reason = saga.lostReason
      isPurged = true
    }
    this.close(saga, at)
    this.counts.failed++
    if (!isPurged) this.pipe.cancelSaga(saga.id)
    saga.failure = reason
    this.didEnd.fire(saga)
    this.events.emit({ event: 'saga_failed', saga_id: saga.id, reason, version: this.events.nextVersion() })
    saga.starter.onEnd?.({
      ok: false,
      sagaId: saga.id,
      reason,
      isPastTimeout: saga.endedAt! >= saga.deadline,
      ...(error ? { error } : {}),
    })
  }

  /** The pipe lost the saga's frame (and purged its others): the saga fails with the pipe's reason. */
  private onFrameLost(sagaId: number, reason: string): void {
    const saga = this.open.get(sagaId)
    if (saga)
      this.hostLoss.failLost(
        saga,
        reason,
        (worded) => this.fail(saga, worded, true),
        () => this.open.get(sagaId) === saga,
      )
    else if (this.isEnded(sagaId)) this.counts.lateTerminals++
  }

  private close(saga: Saga, at: number = this.clock.now()): void {
    saga.endedAt = at
    this.open.delete(saga.id)
    if (saga.isLeftToHost) this.verdicts.remove(saga)
    else this.timeouts.remove(saga)
  }

  private isEnded(sagaId: number): boolean {
    return sagaId >= 1 && sagaId < this.nextSagaId && !this.open.has(sagaId)
  }

  private onTimedOut(saga: Saga): void {
    saga.starter.onTimeout?.()
    if (this.open.has(saga.id)) this.verdicts.timeOut(saga)
  }
}

const RETRY = { retry: true } as const
const NO_RETRY = { retry: false } as const
const APP_RETRY = { retry: true, isAppCall: true } as const
const APP_NO_RETRY = { retry: false, isAppCall: true } as const
const APP_RETRY_NO_BYTES = { retry: true, isAppCall: true, blockBytes: -1 } as const
const APP_NO_RETRY_NO_BYTES = { retry: false, isAppCall: true, blockBytes: -1 } as const

/** How the router sends a saga's command: an app call's lane is its key. */
function routeOf(isAppCall: boolean, retry: boolean, key?: string, blockBytes?: number): RouteOptions {
  if (!isAppCall) return retry ? RETRY : NO_RETRY
  if (key !== undefined) return { retry, isAppCall, key, blockBytes }
  if (blockBytes === -1) return retry ? APP_RETRY_NO_BYTES : APP_NO_RETRY_NO_BYTES
  return retry ? APP_RETRY : APP_NO_RETRY
}

/** The command of a saga as it travels: its input fields flattened beside the envelope fields. */
function commandOf(saga: Saga): HostCommand {
  const request = saga.request
  // An app call's input goes beside it (postCommand's `fields`), never merged into one more object.
  if (request.cmd === 'custom') return new CallHead(request.name, saga.id, saga.wallDeadline)
  const id = saga.id
  const head =
    saga.wallDeadline === undefined ? { saga_id: id } : { saga_id: id, deadline: saga.wallDeadline }
  return { ...request, ...head } as HostCommand
}
