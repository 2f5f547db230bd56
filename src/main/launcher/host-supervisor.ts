import { systemClock, type Clock } from '../base/clock'
import { DisposableStore } from '../base/disposable'
import type { Listenable } from '../base/emitter'
import { silentLogger, type Logger } from '../base/logger'
import type { HostRegistration } from '../ipc/host-registration'
import type { HostStartError } from '../../shared/host-start-error'
import { ActiveHost } from './active-host'
import { Failover } from './failover'
import { signalHost, type HostHandle } from './host-handle'
import type { HostExitInfo, HostProcess } from './host-spawner'
import { HostSpawns, type SpawnHost } from './host-spawns'
import { HostShutdown } from './host-shutdown'
import { RestartBackoff, type RestartBackoffOptions } from './restart-backoff'
import { RetiringHosts } from './retiring-hosts'
import { StandbyPool } from './standby-pool'
import {
  SupervisorStatus,
  type HostLossReason,
  type SupervisorEvent,
  type SupervisorState,
} from './supervisor-event'

export type { HostLossReason, SupervisorEvent, SupervisorState } from './supervisor-event'

/** How long a host may take to exit after SIGTERM before it gets SIGKILL. */
export const STOP_GRACE_MS = 2_000
/** A host that has not registered this long after its spawn is killed (and counts as a start failure). */
export const START_TIMEOUT_MS = 15_000

export interface HostSupervisorOptions {
  /**
   * Starts one host process. Whoever spawns builds its argv and environment (token, socket path,
   * transport): the supervisor only decides when, and names each spawn (`spawnId`, for
   * HOSTPIPE_SPAWN_ID: a registration echoing it is the process we spawned). May throw (counted as
   * a start failure).
   */
  spawn: SpawnHost
  /**
   * Warm standby hosts to keep (`--standby N`, docs/launcher.md); default 0 here (the launcher
   * defaults it to 1). They are spawned once the active host is running, with role `standby`.
   */
  standby?: number
  /**
   * Closes the launcher's connection to the current host (the polite stop: a host exits when its
   * connection closes). Must be idempotent and must not throw.
   */
  closeHostConnection?: (reason: string) => void
  clock?: Clock
  /** Default: RestartBackoff over the same clock, with `maxRestarts` applied. */
  backoff?: RestartBackoff
  maxRestarts?: number
  /** Passed to the default RestartBackoff (e.g. `random` in tests). */
  backoffOptions?: Omit<RestartBackoffOptions, 'maxRestarts' | 'now'>
  /** Default STOP_GRACE_MS. */
  graceMs?: number
  /** Default START_TIMEOUT_MS; 0 disables. */
  startTimeoutMs?: number
  log?: Logger
}

/**
 * Owns the host processes' lifecycle: spawns the active host and its warm standbys, notices a
 * loss, replaces it (a ready standby promoted at once, else a spawn: at once after a serving
 * loss, with backoff after a start failure, see RestartBackoff), stops them all on request and
 * keeps them down. One active host at a time: a host that is lost or replaced is *retiring* (its
 * exit is awaited, never acted on: RetiringHosts), so an old host's late exit never touches its
 * successor. Its parts (docs/launcher.md, the supervisor's parts): HostSpawns spawns every
 * host; ActiveHost holds the active one and its start; Failover replaces it when it is lost;
 * StandbyPool keeps the warm standbys (after Chromium's spare renderer); HostShutdown stops it on
 * request. The supervisor owns them all, answers requests and routes each exit by role.
 */
export class HostSupervisor {
  private readonly clock: Clock
  private readonly backoff: RestartBackoff
  private readonly startTimeoutMs: number
  private readonly log: Logger
  private readonly disposables = new DisposableStore()
  private readonly status = this.disposables.add(new SupervisorStatus())

  /** What happened (state changes, spawns, exits, signals), synchronously, for logs and the feed. */
  readonly onDidChange: Listenable<SupervisorEvent> = this.status.onDidChange

  /** The active host process, its spawn id, its registration deadline and its start failures. */
  private readonly active: ActiveHost
  private readonly spawns: HostSpawns
  private readonly standbyPool: StandbyPool
  /** Hosts lost, replaced or being stopped whose exit is still awaited (no orphans). */
  private readonly retiring: RetiringHosts
  /** Brings the active host up and replaces it when it is lost. */
  private readonly failover: Failover
  /** The active host's planned stop: its intent, its SIGTERM/SIGKILL escalation, its waiters. */
  private readonly shutdown: HostShutdown
  /** `startHost` during `stopping`: spawn again once the old host is gone. */
  private isStartQueued = false
  private isDisposed = false

  constructor(opts: HostSupervisorOptions) {
    this.clock = opts.clock ?? systemClock
    this.backoff =
      opts.backoff ??
      new RestartBackoff({
        ...opts.backoffOptions,
        maxRestarts: opts.maxRestarts,
        now: () => this.clock.now(),
      })
    const graceMs = opts.graceMs ?? STOP_GRACE_MS
    this.startTimeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS
    this.log = opts.log ?? silentLogger
    this.spawns = this.disposables.add(new HostSpawns(opts.spawn, this.clock, this.log))
    this.disposables.add(this.spawns.onDidExit(({ handle, info }) => this.onExit(handle, info)))
    this.disposables.add(
      this.spawns.onDidFail(({ role, error }) => {
        if (role === 'active') this.active.noteSpawnFailed(error)
        this.emit({ type: 'spawn-failed', error: String(error) })
      }),
    )
    const closeHostConnection = opts.closeHostConnection ?? (() => {})
    this.shutdown = this.disposables.add(
      new HostShutdown({
        clock: this.clock,
        graceMs,
        log: this.log,
        closeHostConnection,
        signal: (host, signal) => {
          this.emit({ type: 'signalled', pid: host.pid ?? null, signal })
          signalHost(host, signal, this.log)
        },
        isCurrent: (host) => this.active.is(host),
      }),
    )
    this.retiring = this.disposables.add(
      new RetiringHosts({
        clock: this.clock,
        graceMs,
        kill: (host) => signalHost(host, 'SIGKILL', this.log),
      }),
    )
    this.active = new ActiveHost({
      log: this.log,
      startTimeoutMs: this.startTimeoutMs,
      retiring: this.retiring,
    })
    this.standbyPool = this.disposables.add(
      new StandbyPool({
        target: opts.standby ?? 0,
        clock: this.clock,
        startTimeoutMs: this.startTimeoutMs,
        log: this.log,
        backoff: this.backoff,
        retiring: this.retiring,
        spawns: this.spawns,
        status: this.status,
      }),
    )
    this.failover = this.disposables.add(
      new Failover({
        clock: this.clock,
        log: this.log,
        backoff: this.backoff,
        status: this.status,
        active: this.active,
        standbys: this.standbyPool,
        spawns: this.spawns,
        closeHostConnection,
      }),
    )
    this.disposables.add(this.standbyPool.onDidChange((e) => this.emit(e)))
    this.disposables.add(this.standbyPool.onDidBecomeReady((s) => this.failover.onStandbyReady(s)))
  }

  /** Each new host process, active or standby, e.g. to attach its `connection` (port transport). */
  get onDidSpawn(): Listenable<HostProcess> {
    return this.spawns.onDidSpawn
  }

  get state(): SupervisorState {
    return this.status.state
  }

  get hostPid(): number | null {
    return this.active.pid
  }

  /** Replacements of the active host since the launcher started, promotions included (only grows). */
  get restarts(): number {
    return this.failover.restarts
  }

  /** Standbys promoted to active (only grows). */
  get failovers(): number {
    return this.failover.failovers
  }

  /** How many standby hosts are registered and ready to take over. */
  get readyStandbys(): number {
    return this.standbyPool.readyCount
  }

  /** The pids of the ready standbys, oldest first. */
  get standbyPids(): number[] {
    return this.standbyPool.readyPids
  }

  /**
   * Decides what a host's `register` becomes (docs/launcher.md#warm-standby): a standby we spawned
   * waits as standby; a host spawned as standby that registers without the role does not know the
   * field, so it is refused and standby is turned off (it would take the pipe instead of waiting);
   * a second registration of the active host's own spawn never replaces it, nor does a host we
   * dropped (lost, stopping, beaten by a standby) whose `register` was still on its way; anything
   * else takes the pipe (docs/protocol.md#register) and counts as the active host registering.
   */
  admit(registration: HostRegistration): void {
    const { spawnId } = registration
    if (this.isDisposed || this.isDroppedSpawn(spawnId))
      return registration.refuse('a host this launcher dropped')
    if (this.standbyPool.admit(registration)) return
    if (this.active.admit(registration, this.clock.now())) this.markRunning()
  }

  /**
   * Why no host started, once the supervisor gave up or while it still tries (`START_TIMEOUT`
   * asked by the launcher): the entry, the last exit and the last lines of its stderr.
   */
  startError(timeoutMs?: number): Promise<HostStartError> {
    return this.active.startError(timeoutMs)
  }

  /**
   * A standby registered with `role:"standby"` (without a connection: tests and embedders that
   * register hosts themselves). Returns false when `spawnId` is no standby of ours.
   */
  markStandbyReady(spawnId: string): boolean {
    return this.standbyPool.markReady(spawnId)
  }

  /**
   * Whether `spawnId` names a host this supervisor started and no longer wants: an id it issued
   * that is neither the active host's nor a standby's in the pool (a host lost, stopped, or a
   * starting replacement a standby beat). Its `register`, should one still arrive, even after its
   * exit was seen (Node does not order a child's exit against its unread socket data), is refused,
   * so it never takes the pipe back.
   */
  isDroppedSpawn(spawnId: string | undefined): boolean {
    if (!this.spawns.isIssued(spawnId)) return false
    return spawnId !== this.active.spawnId && !this.standbyPool.has(spawnId)
  }

  /**
   * The spawn id (env HOSTPIPE_SPAWN_ID, echoed as `spawn_id` in `register`) of the host process
   * this supervisor runs now, or undefined. A registration without it is not ours to signal.
   */
  get spawnId(): string | undefined {
    return this.active.spawnId
  }

  /**
   * Starts a host unless one is up or coming: clears `stopped`/`gave-up` (and their crash
   * history), cuts a backoff wait short. Returns false when a host was already running or starting.
   */
  startHost(): boolean {
    if (this.isDisposed) return false
    switch (this.state) {
      case 'starting':
      case 'running':
        return false
      case 'stopping':
        if (this.shutdown.intent === 'dispose') return false
        this.isStartQueued = true
        return true
      case 'backoff':
        this.failover.cancelRestart()
        this.failover.spawnActive(false)
        return true
      case 'stopped':
      case 'gave-up':
        this.backoff.reset()
        this.standbyPool.resume()
        this.failover.spawnActive(false)
        return true
    }
  }

  /** The host registered: it is running (and its stable-run clock starts); standbys follow. */
  markRunning(): void {
    if (this.state !== 'starting') return
    this.active.markRunning()
    this.backoff.recordRunning()
    this.setState('running', { type: 'running', pid: this.hostPid })
    this.standbyPool.fill()
  }

  /**
   * SIGKILLs the host. A serving host is lost at once (as `loseHost`: a standby promoted or a
   * spawn); a starting one's exit counts as a start failure. Returns false when there is no host
   * process to kill.
   */
  killHost(): boolean {
    const host = this.active.process
    if (!host || this.isDisposed) return false
    if (this.state === 'running') return this.loseHost('killed', 'kill-host')
    this.log.warn(`[supervisor] killing host pid ${host.pid ?? '?'} (SIGKILL)`)
    // Its connection will close before its exit is seen: that is this kill, not a second loss.
    this.active.markLost()
    return host.kill('SIGKILL')
  }

  /**
   * The serving host is lost while its process may live on (docs/protocol.md#liveness): it went
   * unresponsive, its connection (or IPC channel) is gone, or kill-host. It gets SIGKILL and
   * retires (its exit is awaited, not acted on), and it is replaced at once: the one path every
   * loss of a serving host goes through (`replaceActive`), its exit included. Only for the
   * process this supervisor spawned (the caller matches `spawnId`); once per host. Returns false
   * when there is nothing to do (no running host, stopping, or already lost).
   */
  loseHost(reason: HostLossReason, detail: string): boolean {
    const host = this.active.process
    if (!host || this.isDisposed || this.state !== 'running' || this.active.isLost) return false
    this.failover.lose(reason, detail)
    return true
  }

  /**
   * Stops the host and keeps it down: closes its connection, SIGTERM, SIGKILL after the grace
   * period. Resolves once it has exited (state `stopped`).
   */
  stopHost(): Promise<void> {
    if (this.isDisposed) return Promise.resolve()
    this.isStartQueued = false
    switch (this.state) {
      case 'stopped':
        return this.retiring.whenRetired()
      case 'backoff':
      case 'gave-up':
        this.failover.cancelRestart()
        this.setState('stopped', { type: 'stopped' })
        this.standbyPool.retireAll()
        return this.retiring.whenRetired()
      case 'stopping':
        return Promise.all([this.shutdown.whenExited(), this.retiring.whenRetired()]).then(() => undefined)
      case 'starting':
      case 'running':
        return this.bringDown('stop')
    }
  }

  /**
   * Terminates the host (SIGTERM, then SIGKILL) and resolves once it exited: no orphans. Then its
   * timers and listeners are gone too.
   */
  dispose(): Promise<void> {
    if (this.isDisposed) return this.active.process ? this.shutdown.whenExited() : this.retiring.whenRetired()
    this.isDisposed = true
    this.isStartQueued = false
    this.failover.cancelRestart()
    this.active.clearStartTimeout()
    this.standbyPool.close()
    if (!this.active.process) {
      if (this.state !== 'stopped') this.setState('stopped', { type: 'stopped' })
      this.standbyPool.retireAll()
      return this.retiring.whenRetired().finally(() => this.disposables.dispose())
    }
    return this.bringDown('dispose').finally(() => this.disposables.dispose())
  }

  // ---------------------------------------------------------------------------------------------

  private bringDown(intent: 'stop' | 'dispose'): Promise<void> {
    const host = this.active.process!
    // Standbys go down with the active host, and nothing is promoted while it goes (not a loss).
    this.standbyPool.cancelRefill()
    this.standbyPool.retireAll()
    const exited = Promise.all([this.shutdown.whenExited(), this.retiring.whenRetired()]).then(
      () => undefined,
    )
    this.shutdown.begin(intent)
    this.active.clearStartTimeout()
    this.setState('stopping', { type: 'stopping', pid: host.pid ?? null })
    this.shutdown.signalDown(host)
    return exited
  }

  /** Routes an exit by the handle's role: the pool's, awaited (retiring), or the active host's. */
  private onExit(handle: HostHandle, info: HostExitInfo): void {
    switch (handle.role) {
      case 'standby':
        return this.standbyPool.handleExit(handle, info)
      case 'retiring':
        if (this.retiring.release(handle.process))
          this.log.info(`[supervisor] retired host pid ${handle.pid ?? '?'} exited`)
        return
      case 'active':
        if (this.active.is(handle.process)) this.onActiveExit(info)
    }
  }

  private onActiveExit(info: HostExitInfo): void {
    const handle = this.active.take()!
    const host = handle.process
    const intent = this.shutdown.finish()
    const pid = host.pid ?? null
    const how = info.signal ? `signal ${info.signal}` : `code ${info.code ?? '?'}`
    if (intent) {
      this.log.info(`[supervisor] host pid ${pid ?? '?'} stopped (${how})`)
      this.emit({ type: 'exited', pid, info, expected: true })
      this.shutdown.resolveWaiters()
      if (this.isStartQueued && intent === 'stop') {
        this.isStartQueued = false
        this.backoff.reset()
        this.failover.spawnActive(false)
      } else this.setState('stopped', { type: 'stopped' })
      return
    }
    // The host should always be up, so any exit we did not ask for counts as a crash, a clean
    // one included: otherwise a host that keeps exiting 0 would be restarted without limit.
    this.log.warn(`[supervisor] host pid ${pid ?? '?'} ${info.crashed ? 'crashed' : 'exited'} (${how})`)
    this.active.noteCrashed(handle)
    this.emit({ type: 'exited', pid, info, expected: false })
    this.shutdown.resolveWaiters()
    this.failover.replace()
  }

  private setState(state: SupervisorState, e: SupervisorEvent): void {
    this.status.set(state, e)
  }

  private emit(e: SupervisorEvent): void {
    this.status.emit(e)
  }
}
