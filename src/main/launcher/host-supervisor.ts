import { systemClock, type Clock } from '../base/clock'
import { DisposableStore } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import { silentLogger, type Logger } from '../base/logger'
import { TimerSlot } from '../base/timer-slot'
import type { HostRegistration } from '../ipc/host-registration'
import type { HostStartError } from '../../shared/host-start-error'
import { ActiveHost } from './active-host'
import { signalHost, type HostHandle } from './host-handle'
import type { HostExitInfo, HostProcess } from './host-spawner'
import { HostSpawns, type SpawnHost } from './host-spawns'
import { HostShutdown } from './host-shutdown'
import { RestartBackoff, type RestartBackoffOptions } from './restart-backoff'
import { RetiringHosts } from './retiring-hosts'
import { StandbyPool } from './standby-pool'
import type { HostLossReason, SupervisorEvent, SupervisorState } from './supervisor-event'

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
 * successor. The warm standbys and their bookkeeping live in StandbyPool (after Chromium's spare
 * renderer); the supervisor keeps the state machine and decides when one is promoted.
 */
export class HostSupervisor {
  private readonly clock: Clock
  private readonly backoff: RestartBackoff
  private readonly startTimeoutMs: number
  private readonly log: Logger
  private readonly closeHostConnection: (reason: string) => void
  private readonly disposables = new DisposableStore()
  private readonly didChange = this.disposables.add(new Emitter<SupervisorEvent>())

  /** What happened (state changes, spawns, exits, signals), synchronously, for logs and the feed. */
  readonly onDidChange: Listenable<SupervisorEvent> = this.didChange.event

  /** The active host process, its spawn id, its registration deadline and its start failures. */
  private readonly active: ActiveHost
  private readonly spawns: HostSpawns
  private currentState: SupervisorState = 'stopped'
  private restartCount = 0
  private failoverCount = 0
  private readonly standbyPool: StandbyPool
  /** Hosts lost, replaced or being stopped whose exit is still awaited (no orphans). */
  private readonly retiring: RetiringHosts
  /** The backoff wait before a restart. */
  private readonly restartTimer: TimerSlot
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
    this.closeHostConnection = opts.closeHostConnection ?? (() => {})
    this.restartTimer = this.disposables.add(new TimerSlot(this.clock))
    this.shutdown = this.disposables.add(
      new HostShutdown({
        clock: this.clock,
        graceMs,
        log: this.log,
        closeHostConnection: this.closeHostConnection,
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
      }),
    )
    this.disposables.add(this.standbyPool.onDidChange((e) => this.emit(e)))
    this.disposables.add(this.standbyPool.onDidBecomeReady((standby) => this.onStandbyReady(standby)))
  }

  /** Each new host process, active or standby, e.g. to attach its `connection` (port transport). */
  get onDidSpawn(): Listenable<HostProcess> {
    return this.spawns.onDidSpawn
  }

  get state(): SupervisorState {
    return this.currentState
  }

  get hostPid(): number | null {
    return this.active.pid
  }

  /** Replacements of the active host since the launcher started, promotions included (only grows). */
  get restarts(): number {
    return this.restartCount
  }

  /** Standbys promoted to active (only grows). */
  get failovers(): number {
    return this.failoverCount
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

  get host(): HostProcess | undefined {
    return this.active.process
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
    switch (this.currentState) {
      case 'starting':
      case 'running':
        return false
      case 'stopping':
        if (this.shutdown.intent === 'dispose') return false
        this.isStartQueued = true
        return true
      case 'backoff':
        this.restartTimer.clear()
        this.spawnHost(false)
        return true
      case 'stopped':
      case 'gave-up':
        this.backoff.reset()
        this.standbyPool.resume()
        this.spawnHost(false)
        return true
    }
  }

  /** The host registered: it is running (and its stable-run clock starts); standbys follow. */
  markRunning(): void {
    if (this.currentState !== 'starting') return
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
    if (this.currentState === 'running') return this.loseHost('killed', 'kill-host')
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
    if (!host || this.isDisposed || this.currentState !== 'running' || this.active.isLost) return false
    const pid = host.pid ?? null
    const handle = this.active.handle!
    const exit = handle.exit ? `; it had exited (${describeExit(handle.exit)})` : ''
    this.log.warn(`[supervisor] host pid ${pid ?? '?'} lost (${reason}): ${detail}${exit}; SIGKILL`)
    this.active.retire()
    this.emit({
      type: 'lost',
      pid,
      spawnId: handle.spawnId,
      reason,
      detail,
      ...(handle.exit && { exit: handle.exit }),
    })
    signalHost(host, 'SIGKILL', this.log)
    // Its connection goes now, before a replacement takes the pipe: nothing more is written to a
    // dying host, and its unacked commands fail (or are retried) at once, not at its EOF.
    try {
      this.closeHostConnection(`host lost (${reason})`)
    } catch (err) {
      this.log.error(`[supervisor] closing the lost host's connection threw: ${String(err)}`)
    }
    this.replaceActive()
    return true
  }

  /**
   * Stops the host and keeps it down: closes its connection, SIGTERM, SIGKILL after the grace
   * period. Resolves once it has exited (state `stopped`).
   */
  stopHost(): Promise<void> {
    if (this.isDisposed) return Promise.resolve()
    this.isStartQueued = false
    switch (this.currentState) {
      case 'stopped':
        return this.retiring.whenRetired()
      case 'backoff':
      case 'gave-up':
        this.restartTimer.clear()
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
    this.restartTimer.clear()
    this.active.clearStartTimeout()
    this.standbyPool.close()
    if (!this.active.process) {
      if (this.currentState !== 'stopped') this.setState('stopped', { type: 'stopped' })
      this.standbyPool.retireAll()
      return this.retiring.whenRetired().finally(() => this.disposables.dispose())
    }
    return this.bringDown('dispose').finally(() => this.disposables.dispose())
  }

  // ---------------------------------------------------------------------------------------------

  private spawnHost(isRestart: boolean): void {
    const handle = this.spawns.spawn('active')
    if (!handle) return this.replaceActive()
    const host = handle.process
    this.active.set(handle, isRestart)
    if (isRestart) this.restartCount++
    this.log.info(
      `[supervisor] host started (pid ${host.pid ?? '?'})${isRestart ? ` — restart #${this.restartCount}` : ''}`,
    )
    this.setState('starting', { type: 'spawned', pid: handle.pid, restart: isRestart })
  }

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
        this.spawnHost(false)
      } else this.setState('stopped', { type: 'stopped' })
      return
    }
    // The host should always be up, so any exit we did not ask for counts as a crash, a clean
    // one included: otherwise a host that keeps exiting 0 would be restarted without limit.
    this.log.warn(`[supervisor] host pid ${pid ?? '?'} ${info.crashed ? 'crashed' : 'exited'} (${how})`)
    this.active.noteCrashed(handle)
    this.emit({ type: 'exited', pid, info, expected: false })
    this.shutdown.resolveWaiters()
    this.replaceActive()
  }

  /**
   * The active host is gone (already taken out of `active`): the policy classifies the loss; a
   * ready standby is promoted at once, else a host is spawned (at once after a serving loss, with
   * backoff after a start failure), or the policy gives up.
   */
  private replaceActive(): void {
    const decision = this.backoff.recordCrash()
    if (decision.action === 'give-up') {
      this.log.error(
        `[supervisor] host lost ${decision.crashesInWindow} times within the window: giving up (start-host to retry)`,
      )
      this.standbyPool.cancelRefill()
      this.standbyPool.retireAll()
      this.setState('gave-up', { type: 'gave-up', crashesInWindow: decision.crashesInWindow })
      return
    }
    const ready = this.standbyPool.firstReady()
    if (ready) {
      this.promote(ready)
      return
    }
    this.log.info(
      `[supervisor] ${decision.kind}: restarting host in ${decision.delayMs} ms (attempt ${decision.attempt + 1})`,
    )
    this.setState('backoff', {
      type: 'restart-scheduled',
      delayMs: decision.delayMs,
      attempt: decision.attempt,
    })
    if (decision.delayMs === 0) this.spawnHost(true)
    else
      this.restartTimer.set(() => {
        if (this.currentState === 'backoff') this.spawnHost(true)
      }, decision.delayMs)
  }

  /**
   * A ready standby becomes the active host; a replacement standby is spawned on the next turn of
   * the event loop, once the promoted host's drain has been written (StandbyPool.fillSoon).
   * `isCounted`: this replacement was already counted (by the cold spawn the standby beat).
   */
  private promote(standby: HostHandle, isCounted = false): void {
    this.standbyPool.take(standby)
    this.active.set(standby, false)
    if (!isCounted) this.restartCount++
    this.failoverCount++
    // Its run counts from its registration: a standby that served as spare is no start failure.
    this.backoff.recordRunning(standby.registeredAt)
    const pid = standby.pid
    this.log.info(
      `[supervisor] standby pid ${pid ?? '?'} promoted — restart #${this.restartCount}, failover #${this.failoverCount}`,
    )
    this.setState('running', { type: 'promoted', pid, spawnId: standby.spawnId })
    // Promoting is handing its writer to the pipe; a connection gone meanwhile is a lost host.
    if (standby.connection && !standby.connection.promote())
      this.loseHost('channel-gone', 'its standby connection closed before it was promoted')
    this.standbyPool.fillSoon()
  }

  /**
   * A standby got ready: if the active host is waiting out a backoff, it is promoted at once; if
   * the active host was lost while this standby was still starting, a cold host was spawned, and
   * the standby, started earlier, is ready first: it takes over, the cold one goes.
   */
  private onStandbyReady(standby: HostHandle): void {
    if (this.currentState === 'backoff') {
      this.restartTimer.clear()
      this.promote(standby)
    } else if (this.currentState === 'starting' && this.active.isReplacing) {
      this.abandonStartingHost()
      this.promote(standby, true)
    }
  }

  /** The replacement host still starting is dropped (SIGKILL, retired): a standby takes over. */
  private abandonStartingHost(): void {
    const host = this.active.process!
    this.log.info(`[supervisor] standby ready first: dropping the starting host pid ${host.pid ?? '?'}`)
    this.active.retire()
    signalHost(host, 'SIGKILL', this.log)
  }

  private setState(state: SupervisorState, e: SupervisorEvent): void {
    this.currentState = state
    this.standbyPool.setActiveRunning(state === 'running')
    this.emit(e)
  }

  private emit(e: SupervisorEvent): void {
    this.didChange.fire(e)
  }
}

function describeExit(info: HostExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code ?? '?'}`
}
