import type {
  ActionBody,
  ActionResult,
  DiagnosticsAction,
  DiagnosticsEvent,
  DiagnosticsSnapshot,
  HostRow,
  HostPipeSnapshot,
  LogLevel,
  PipeState,
  TransportKind,
} from '../../shared/diagnostics'
import type { Event } from '../../shared/protocol'
import { DisposableStore } from '../base/disposable'
import { Emitter } from '../base/emitter'
import { TimerSlot } from '../base/timer-slot'
import { type HostPipe } from '../host-pipe'
import { systemClock, type Clock } from '../base/clock'
import { silentLogger, type Logger } from '../base/logger'
import { CommandCalls } from './command-stats'
import type { DiagnosticsAct } from './diagnostics-actions'
import type { DiagnosticsSource } from './diagnostics-source'
import { EventRing } from './event-ring'
import type { HostSupervisor } from './host-supervisor'
import type { SupervisorEvent, SupervisorState } from './supervisor-event'
import type { LauncherEvents } from './launcher-events'
import type { LauncherStreams } from './launcher-streams'
import type { LivenessMonitor } from './liveness-monitor'
import type { SagaCoordinator } from './saga-coordinator'
import type { SagaRecord } from './saga-stats'

/** Subscribers hear at most once per this, so the panel is ≤ 100 ms behind. */
export const FEED_INTERVAL_MS = 50
export const EVENT_RING_SIZE = 200

export interface DiagnosticsFeedOptions {
  /** Slot 0's pipe (the top-level fields of a snapshot are slot 0's). */
  pipe: Pick<HostPipe, 'snapshot' | 'onDidChange'>
  /** Every pool slot's pipe, slot 0 first, for the `hosts` rows. Default: `[pipe]`. */
  pipes?: readonly Pick<HostPipe, 'snapshot' | 'onDidChange'>[]
  supervisor: Pick<
    HostSupervisor,
    'state' | 'hostPid' | 'restarts' | 'failovers' | 'readyStandbys' | 'standbyPids' | 'onDidChange'
  > &
    Partial<Pick<HostSupervisor, 'stateOf' | 'hostPidOf' | 'restartsOf'>>
  /** Sagas: their totals, and each one's start and end (per-command rows, failed rows' names). */
  sagas: Pick<SagaCoordinator, 'totals' | 'onDidStartSaga' | 'onDidEndSaga'>
  events: Pick<LauncherEvents, 'onDidEmit'>
  /** Streams and app events (`streams`, `eventsDropped`). Default: none, all 0. */
  streams?: Pick<LauncherStreams, 'totals' | 'eventsDropped' | 'onDidChange'>
  /** Whether the host is busy (its main thread blocked, not hung). Default: never busy. */
  liveness?: Pick<LivenessMonitor, 'isBusy' | 'onDidChangeBusy'>
  /** Every pool slot's liveness, slot 0 first. Default: `[liveness]`. */
  livenesses?: readonly Pick<LivenessMonitor, 'isBusy' | 'onDidChangeBusy'>[]
  transport: TransportKind
  socketPath: string | null
  /** HostPipe's clock: `expiresAt` is in its time base. Also runs the feed's timers. */
  clock?: Clock
  /** Wall clock for `at` and event times. Default Date.now. */
  wallNow?: () => number
  /** The panel actions (see createDiagnosticsActions); without it every action is refused. */
  act?: DiagnosticsAct
  /** Default FEED_INTERVAL_MS. */
  intervalMs?: number
  /** Default EVENT_RING_SIZE. */
  ringSize?: number
  /** Command names with a row of their own in `commands`; default MAX_COMMAND_NAMES. */
  maxCommandNames?: number
  log?: Logger
}

/**
 * The badge: connected wins; `stopped` only once the held-down host is gone from the pipe too;
 * `unresponsive` from the moment a hung host is judged so until its replacement connects.
 */
export function pipeStateOf(
  connected: boolean,
  supervisor: SupervisorState,
  isUnresponsive = false,
): PipeState {
  if (connected) return 'connected'
  if (supervisor === 'stopped') return 'stopped'
  if (supervisor === 'gave-up') return 'gave-up'
  if (isUnresponsive) return 'unresponsive'
  return 'disconnected'
}

/** Command names a folded failure line lists before it writes "…". */
const RUN_NAMES_SHOWN = 3

/** A run of `saga_failed` with one reason, folded into one ring entry. */
interface FailureRun {
  seq: number
  reason: string
  count: number
  /** The failed calls' command names, the first RUN_NAMES_SHOWN distinct ones. */
  names: string[]
  hasMoreNames: boolean
  firstId: number
  lastId: number
  /** When its newest failure came (wall clock, ms). */
  lastAt: number
  /** The ring's entry lags behind `count`: it is rewritten when the ring is next read or pushed. */
  isStale: boolean
}

/**
 * The diagnostics feed (docs/panel.md): HostPipe's snapshot plus supervisor, saga and transport state, and a
 * ring of recent events, for the HTTP/SSE server and the Electron bridge alike; per-command call
 * counts and latencies (`commands`, see CommandCalls) from the saga events.
 *
 * Subscribers are coalesced: a change schedules one delivery (at once if none went out in the
 * last interval, else when the interval ends), so a 100k-saga burst costs ~20 snapshots a second
 * and an idle launcher none at all. While an expiry deadline runs the feed also publishes when
 * the whole-second countdown changes, so a panel that only renders snapshots stays correct.
 */
export class DiagnosticsFeed implements DiagnosticsSource {
  private readonly opts: DiagnosticsFeedOptions
  private readonly clock: Clock
  private readonly wallNow: () => number
  private readonly intervalMs: number
  private readonly log: Logger
  private readonly ring: EventRing
  private readonly commands: CommandCalls
  private readonly disposables = new DisposableStore()
  private readonly delivery = this.disposables.add(new Emitter<DiagnosticsSnapshot>())
  /** Fired once, by `dispose()`; not in `disposables`, which are gone by then. */
  private readonly ended = new Emitter<void>()
  private readonly timer: TimerSlot

  private wasConnected: boolean
  /** Set by `markUnresponsive`, cleared when a host connects. */
  private isUnresponsive = false
  private failureRun: FailureRun | undefined
  private timerDueAt = 0
  private lastDeliveryAt = Number.NEGATIVE_INFINITY
  private isDisposed = false

  constructor(opts: DiagnosticsFeedOptions) {
    this.opts = opts
    this.clock = opts.clock ?? systemClock
    this.wallNow = opts.wallNow ?? Date.now
    this.intervalMs = opts.intervalMs ?? FEED_INTERVAL_MS
    this.log = opts.log ?? silentLogger
    this.ring = new EventRing(opts.ringSize ?? EVENT_RING_SIZE)
    this.commands = new CommandCalls(() => this.clock.now(), opts.maxCommandNames)
    this.wasConnected = opts.pipe.snapshot().connected
    this.timer = this.disposables.add(new TimerSlot(this.clock))
    this.disposables.add(opts.pipe.onDidChange((s) => this.onPipeChange(s)))
    this.disposables.add(opts.supervisor.onDidChange((e) => this.onSupervisorEvent(e)))
    this.disposables.add(opts.events.onDidEmit((e) => this.onLauncherEvent(e)))
    this.disposables.add(
      opts.sagas.onDidStartSaga((saga) => {
        this.commands.started(saga)
        this.markChanged()
      }),
    )
    this.disposables.add(opts.sagas.onDidEndSaga((saga) => this.onSagaEnded(saga)))
    if (opts.liveness) this.disposables.add(opts.liveness.onDidChangeBusy((b) => this.onBusyChange(b)))
    if (opts.streams) this.disposables.add(opts.streams.onDidChange(() => this.markChanged()))
    // The other slots' rows change with their pipes and their busy state.
    for (const pipe of opts.pipes?.slice(1) ?? [])
      this.disposables.add(pipe.onDidChange(() => this.markChanged()))
    for (const liveness of opts.livenesses?.slice(1) ?? [])
      this.disposables.add(liveness.onDidChangeBusy(() => this.markChanged()))
  }

  /** One row per pool slot: slot 0's from the top-level reading, the others' from their parts. */
  private hostRows(slot0: HostRow): HostRow[] {
    const pipes = this.opts.pipes
    if (!pipes || pipes.length <= 1) return [slot0]
    const supervisor = this.opts.supervisor
    const rows = [slot0]
    for (let slot = 1; slot < pipes.length; slot++) {
      const pipe = pipes[slot]!.snapshot()
      const state = pipeStateOf(pipe.connected, supervisor.stateOf?.(slot) ?? supervisor.state, false)
      rows.push({
        slot,
        pid: supervisor.hostPidOf?.(slot) ?? null,
        state: state === 'connected' && this.opts.livenesses?.[slot]?.isBusy ? 'busy' : state,
        inFlight: pipe.inFlight,
        restarts: supervisor.restartsOf?.(slot) ?? 0,
      })
    }
    return rows
  }

  snapshot(): DiagnosticsSnapshot {
    const pipe = this.opts.pipe.snapshot()
    const supervisor = this.opts.supervisor
    const state = pipeStateOf(pipe.connected, supervisor.state, this.isUnresponsive)
    const hostState = state === 'connected' && this.opts.liveness?.isBusy ? 'busy' : state
    return {
      ...pipe,
      state,
      hostPid: supervisor.hostPid,
      hosts: this.hostRows({
        slot: 0,
        pid: supervisor.hostPid,
        state: hostState,
        inFlight: pipe.inFlight,
        restarts: supervisor.restartsOf?.(0) ?? supervisor.restarts,
      }),
      restarts: supervisor.restarts,
      standby: supervisor.readyStandbys,
      standbyPids: supervisor.standbyPids,
      failovers: supervisor.failovers,
      transport: this.opts.transport,
      socketPath: this.opts.socketPath,
      sagas: this.opts.sagas.totals(),
      at: this.wallNow(),
      expiresInMs: pipe.expiresAt === null ? null : Math.max(0, pipe.expiresAt - this.clock.now()),
      commands: this.commands.rows(),
      streams: this.opts.streams?.totals() ?? { open: 0, chunks: 0, bytes: 0 },
      eventsDropped: this.opts.streams?.eventsDropped ?? 0,
      events: this.ringEntries(),
    }
  }

  /**
   * The DiagnosticsSource API (the panel's bridge and the HTTP server): `fn` gets coalesced
   * snapshots; returns the unsubscribe function.
   */
  subscribe(fn: (s: DiagnosticsSnapshot) => void): () => void {
    const subscription = this.delivery.event(fn)
    return () => {
      subscription.dispose()
      if (!this.delivery.hasListeners) this.timer.clear()
    }
  }

  /** Calls `fn` once when the feed ends (the launcher stopped); at once if it has. */
  onDidEnd(fn: () => void): () => void {
    if (this.isDisposed) {
      fn()
      return () => undefined
    }
    const subscription = this.ended.event(fn)
    return () => subscription.dispose()
  }

  async act(action: DiagnosticsAction, body?: ActionBody): Promise<ActionResult> {
    const result: ActionResult = this.opts.act
      ? await this.opts.act(action, body)
      : { ok: false, error: 'actions are not available' }
    if (result.ok) this.note('info', `${action}: ${result.detail ?? 'done'}`)
    else this.note('warn', `${action} refused: ${result.error}`)
    return result
  }

  /**
   * The active host was judged unresponsive (docs/protocol.md#liveness): the badge reads `unresponsive` until a host
   * connects again, and `message` goes to the event log as an error.
   */
  markUnresponsive(message: string): void {
    this.isUnresponsive = true
    this.note('error', message)
  }

  /** Adds a line to the event ring. */
  note(level: LogLevel, message: string): void {
    this.settleFailureRun()
    this.failureRun = undefined
    this.ring.push({ at: this.wallNow(), level, message })
    this.log.debug(`[diagnostics] ${level}: ${message}`)
    this.markChanged()
  }

  dispose(): void {
    if (this.isDisposed) return
    this.isDisposed = true
    this.disposables.dispose()
    this.ended.fire()
    this.ended.dispose()
  }

  // ---------------------------------------------------------------------------------------------
  // Sources

  private onPipeChange(s: HostPipeSnapshot): void {
    if (s.connected !== this.wasConnected) {
      this.wasConnected = s.connected
      if (s.connected) this.isUnresponsive = false
      if (s.connected) this.note('info', `host connected (session ${s.sessionId})`)
      else this.note('warn', 'host disconnected: commands are buffered until it returns')
      return
    }
    this.markChanged()
  }

  private onSupervisorEvent(e: SupervisorEvent): void {
    const pid = (p: number | null) => (p === null ? '' : ` pid ${p}`)
    switch (e.type) {
      case 'spawned':
        return this.note('info', e.restart ? `host restarted${pid(e.pid)}` : `host started${pid(e.pid)}`)
      case 'spawn-failed':
        return this.note('error', `host failed to start: ${e.error}`)
      case 'exited': {
        const how = e.info.signal ? `signal ${e.info.signal}` : `code ${e.info.code ?? '?'}`
        if (e.expected) return this.note('info', `host${pid(e.pid)} stopped (${how})`)
        return this.note(
          e.info.crashed ? 'error' : 'warn',
          `host${pid(e.pid)} ${e.info.crashed ? 'crashed' : 'exited'} (${how})`,
        )
      }
      case 'restart-scheduled':
        return this.note('info', `restarting host in ${e.delayMs} ms`)
      case 'gave-up':
        return this.note(
          'error',
          `host crashed ${e.crashesInWindow} times within 60 s: gave up (start-host in the panel, or the app's stop() then start(), starts it again)`,
        )
      case 'stopping':
        return this.note('info', `stopping host${pid(e.pid)}`)
      case 'stopped':
        return this.note('info', 'host stopped: held down until start-host')
      case 'signalled':
        if (e.signal === 'SIGKILL') return this.note('warn', `host${pid(e.pid)} ignored SIGTERM: SIGKILL`)
        return this.markChanged()
      case 'running':
        return this.markChanged()
      case 'lost':
        // Unresponsive hosts are announced by markUnresponsive, with the silence measured.
        if (e.reason === 'unresponsive') return this.markChanged()
        if (e.reason === 'killed') return this.markChanged()
        return this.note('warn', `host${pid(e.pid)} lost its connection (${e.detail}); killing it`)
      case 'promoted':
        return this.note('info', `standby${pid(e.pid)} promoted to active host`)
      case 'standby-spawned':
      case 'standby-ready':
        return this.markChanged()
      case 'standby-exited': {
        const how = e.info.signal ? `signal ${e.info.signal}` : `code ${e.info.code ?? '?'}`
        return this.note('warn', `standby host${pid(e.pid)} exited (${how})`)
      }
      case 'standby-off':
        return this.note('warn', `standby off: ${e.reason}`)
    }
  }

  private onBusyChange(isBusy: boolean): void {
    const pid = this.opts.supervisor.hostPid
    const host = `host${pid === null ? '' : ` pid ${pid}`}`
    if (isBusy) this.note('info', `${host} busy: its main thread is blocked, its liveness worker answers`)
    else if (this.opts.pipe.snapshot().connected) this.note('info', `${host} no longer busy`)
    else this.markChanged()
  }

  private onLauncherEvent(e: Event): void {
    switch (e.event) {
      case 'saga_failed':
        // The coordinator told us first, naming the command (onSagaEnded).
        return
      case 'error':
        return this.note('error', `${e.code}: ${e.message}`)
      default:
        return this.markChanged()
    }
  }

  private onSagaEnded(saga: SagaRecord): void {
    const failure = saga.failure
    this.commands.ended(saga, failure !== undefined)
    if (failure === undefined) this.markChanged()
    else this.recordFailure(saga.id, saga.name, failure)
  }

  /**
   * One line per run of failures with the same reason: an overflow or an expiry fails sagas by
   * the thousand, and one line each would push everything else out of the ring. Lines name the
   * calls' commands: `saga 12 (add) failed: <reason>`, `36 sagas (add, sub) failed (saga 1 … saga
   * 36): <reason>`.
   */
  private recordFailure(sagaId: number, name: string, reason: string): void {
    const run = this.failureRun
    if (run && run.reason === reason && run.seq === this.ring.newestSeq) {
      // A host loss fails hundreds of sagas in one go, ahead of the failover: the line is written
      // once, when the ring is next read (ringEntries) or pushed, not once per saga.
      run.count++
      run.lastId = sagaId
      if (!run.names.includes(name)) {
        if (run.names.length < RUN_NAMES_SHOWN) run.names.push(name)
        else run.hasMoreNames = true
      }
      run.lastAt = this.wallNow()
      run.isStale = true
      this.markChanged()
      return
    }
    this.note('warn', `saga ${sagaId} (${name}) failed: ${reason}`)
    this.failureRun = {
      seq: this.ring.newestSeq,
      reason,
      count: 1,
      names: [name],
      hasMoreNames: false,
      firstId: sagaId,
      lastId: sagaId,
      lastAt: this.wallNow(),
      isStale: false,
    }
  }

  /** The ring's entries, oldest first, the current failure run's line brought up to date. */
  private ringEntries(): DiagnosticsEvent[] {
    this.settleFailureRun()
    return this.ring.toArray()
  }

  private settleFailureRun(): void {
    const run = this.failureRun
    if (!run?.isStale || run.seq !== this.ring.newestSeq) return
    run.isStale = false
    const names = run.names.length === 0 ? '' : ` (${run.names.join(', ')}${run.hasMoreNames ? ', …' : ''})`
    this.ring.replaceNewest({
      at: run.lastAt,
      level: 'warn',
      message: `${run.count} sagas${names} failed (saga ${run.firstId} … saga ${run.lastId}): ${run.reason}`,
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Coalesced delivery

  private markChanged(): void {
    if (!this.delivery.hasListeners || this.isDisposed) return
    this.scheduleAt(Math.max(this.clock.now(), this.lastDeliveryAt + this.intervalMs))
  }

  /** Arms the one timer for `at`, unless it is already due by then. */
  private scheduleAt(at: number): void {
    if (this.timer.isArmed && this.timerDueAt <= at) return
    this.timerDueAt = at
    this.timer.set(() => this.deliver(), Math.max(0, at - this.clock.now()))
  }

  private deliver(): void {
    if (!this.delivery.hasListeners) return
    this.lastDeliveryAt = this.clock.now()
    const s = this.snapshot()
    this.delivery.fire(s)
    if (s.expiresInMs !== null && s.expiresInMs > 0) {
      // The countdown shows whole seconds rounded up: it next changes when it reaches the
      // multiple of 1000 below it.
      const untilNextSecond = s.expiresInMs - (Math.ceil(s.expiresInMs / 1000) - 1) * 1000
      this.scheduleAt(this.clock.now() + Math.max(untilNextSecond, this.intervalMs))
    }
  }
}
