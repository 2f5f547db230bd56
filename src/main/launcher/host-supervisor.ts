import { systemClock, type Clock } from '../base/clock'
import { DisposableStore } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import { silentLogger, type Logger } from '../base/logger'
import { TimerSlot } from '../base/timer-slot'
import type { HostConnection, HostRegistration } from '../ipc/host-registration'
import type { HostStartError } from '../../shared/host-start-error'
import { ActiveHost } from './active-host'
import { HostHandle } from './host-handle'
import type { HostExitInfo, HostProcess, HostRole } from './host-spawner'
import { HostShutdown } from './host-shutdown'
import { StartFailures } from './start-failures'
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
  spawn: (spawnId: string, role?: HostRole) => HostProcess
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
  private readonly spawn: (spawnId: string, role?: HostRole) => HostProcess
  private readonly clock: Clock
  private readonly backoff: RestartBackoff
  private readonly startTimeoutMs: number
  private readonly log: Logger
  private readonly closeHostConnection: (reason: string) => void
  private readonly disposables = new DisposableStore()
  private readonly didChange = this.disposables.add(new Emitter<SupervisorEvent>())
  private readonly didSpawn = this.disposables.add(new Emitter<HostProcess>())

  /** What happened (state changes, spawns, exits, signals), synchronously, for logs and the feed. */
  readonly onDidChange: Listenable<SupervisorEvent> = this.didChange.event
  /** Each new host process, e.g. to attach its `connection` (port transport). */
  readonly onDidSpawn: Listenable<HostProcess> = this.didSpawn.event

  /** The active host process, its spawn id and its registration deadline. */
  private readonly active: ActiveHost
  private spawnCount = 0
  private currentState: SupervisorState = 'stopped'
  private restartCount = 0
  private failoverCount = 0
  private readonly standbyPool: StandbyPool
  /** The last host that failed to start and how (for HostStartError). */
  private readonly startFailures = new StartFailures()
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
    this.spawn = opts.spawn
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
    this.closeHostConnection = opts.closeHostConnection ?? (() => {})
    this.restartTimer = this.disposables.add(new TimerSlot(this.clock))
    this.active = this.disposables.add(new ActiveHost(this.clock))
    this.shutdown = this.disposables.add(
      new HostShutdown({
        clock: this.clock,
        graceMs,
        log: this.log,
        closeHostConnection: this.closeHostConnection,
        signal: (host, signal) => this.signal(host, signal),
        isCurrent: (host) => this.active.is(host),
      }),
    )
    const standbyTarget = opts.standby ?? 0
    if (!Number.isSafeInteger(standbyTarget) || standbyTarget < 0)
      throw new RangeError(`standby must be a non-negative integer, got ${String(opts.standby)}`)
    this.retiring = this.disposables.add(
      new RetiringHosts({
        clock: this.clock,
        graceMs,
        kill: (host) => this.signal(host, 'SIGKILL', false),
      }),
    )
    this.standbyPool = this.disposables.add(
      new StandbyPool({
        target: standbyTarget,
        clock: this.clock,
        startTimeoutMs: this.startTimeoutMs,
        log: this.log,
        backoff: this.backoff,
        retiring: this.retiring,
        nextSpawnId: () => String(++this.spawnCount),
        spawn: (spawnId) => this.spawn(spawnId, 'standby'),
        isActiveRunning: () => this.currentState === 'running',
        emit: (e) => this.emit(e),
        didSpawn: (host) => this.didSpawn.fire(host),
        signal: (host, signal, announce) => this.signal(host, signal, announce),
        onExitOutsidePool: (host, info) => this.onExit(host, info),
      }),
    )
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
    const { spawnId, pid } = registration
    if (this.isDisposed || this.isDroppedSpawn(spawnId))
      return registration.refuse('a host this launcher dropped')
    const standby = this.standbyPool.find(spawnId)
    if (registration.role === 'standby') {
      if (!standby) return registration.refuse('a standby this launcher did not spawn')
      const connection = registration.accept('standby')
      standby.own(connection.onDidClose((reason) => this.loseStandby(standby.spawnId, reason)))
      this.markStandbyReady(standby.spawnId, connection)
      return
    }
    if (standby) {
      this.disableStandby(`host pid ${pid} was spawned as standby but registered without role "standby"`)
      return registration.refuse('spawned as standby, registered without the role')
    }
    const active = this.active.handle
    const isActiveSpawn = spawnId !== undefined && active?.spawnId === spawnId
    if (isActiveSpawn && active.connection && !active.connection.isClosed)
      return registration.refuse('a second registration of the active host')
    const connection = registration.accept('active')
    if (isActiveSpawn) active.markRegistered(connection, this.clock.now())
    this.markRunning()
  }

  /**
   * Why no host started, once the supervisor gave up or while it still tries (`START_TIMEOUT`
   * asked by the launcher): the entry, the last exit and the last lines of its stderr.
   */
  startError(timeoutMs?: number): Promise<HostStartError> {
    return this.startFailures.describe(this.active.handle, timeoutMs)
  }

  /** Whether `spawnId` names a standby this supervisor spawned and has not promoted. */
  isStandbySpawn(spawnId: string | undefined): boolean {
    return this.standbyPool.has(spawnId)
  }

  /**
   * A standby registered with `role:"standby"`: it is ready. Returns false when `spawnId` is no
   * standby of ours. If the active host is waiting out a backoff, it is promoted at once.
   */
  markStandbyReady(spawnId: string, connection?: HostConnection): boolean {
    const ready = this.standbyPool.markReady(spawnId, connection)
    if (!ready) return false
    if (!ready.isNew) return true
    if (this.currentState === 'backoff') {
      this.restartTimer.clear()
      this.promote(ready.standby)
    } else if (this.currentState === 'starting' && this.active.isReplacing) {
      // The active host was lost while this standby was still starting, so a cold host was
      // spawned; the standby, started earlier, is ready first: it takes over, the cold one goes.
      this.abandonStartingHost()
      this.promote(ready.standby, true)
    }
    return true
  }

  /**
   * Whether `spawnId` names a host this supervisor started and no longer wants: an id it issued
   * that is neither the active host's nor a standby's in the pool (a host lost, stopped, or a
   * starting replacement a standby beat). Its `register`, should one still arrive, even after its
   * exit was seen (Node does not order a child's exit against its unread socket data), is refused,
   * so it never takes the pipe back.
   */
  isDroppedSpawn(spawnId: string | undefined): boolean {
    if (spawnId === undefined || !/^[1-9][0-9]{0,15}$/.test(spawnId)) return false
    if (Number(spawnId) > this.spawnCount) return false
    return spawnId !== this.active.spawnId && !this.standbyPool.has(spawnId)
  }

  /**
   * A standby (by spawn id) is of no use: its connection is gone while its process may run. It is
   * SIGKILLed and its exit is handled as a standby's loss. Returns false when it is not ours.
   */
  loseStandby(spawnId: string, detail: string): boolean {
    return this.standbyPool.lose(spawnId, detail)
  }

  /**
   * Turns standby off for the rest of this launcher (a host spawned as standby registered without
   * `role`: it would take the pipe instead of waiting). Its standbys are
   * stopped. Logs one warning; later calls do nothing.
   */
  disableStandby(reason: string): void {
    this.standbyPool.disable(reason)
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
    this.active.clearStartTimeout()
    this.startFailures.clear()
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
    this.retireCurrent()
    this.emit({
      type: 'lost',
      pid,
      spawnId: handle.spawnId,
      reason,
      detail,
      ...(handle.exit && { exit: handle.exit }),
    })
    this.signal(host, 'SIGKILL', false)
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
    let host: HostProcess
    const spawnId = String(++this.spawnCount)
    try {
      host = this.spawn(spawnId)
    } catch (err) {
      this.log.error(`[supervisor] spawning the host failed: ${String(err)}`)
      this.startFailures.noteSpawnFailed(err)
      this.emit({ type: 'spawn-failed', error: String(err) })
      this.replaceActive()
      return
    }
    const handle = new HostHandle(spawnId, host, 'active', this.clock)
    this.active.set(handle, {
      isReplacing: isRestart,
      startTimeoutMs: this.startTimeoutMs,
      onStartTimeout: () => this.onStartTimeout(host),
    })
    if (isRestart) this.restartCount++
    handle.own(host.onExit((info) => this.onExit(host, info)))
    this.log.info(
      `[supervisor] host started (pid ${host.pid ?? '?'})${isRestart ? ` — restart #${this.restartCount}` : ''}`,
    )
    this.setState('starting', { type: 'spawned', pid: host.pid ?? null, restart: isRestart })
    this.didSpawn.fire(host)
  }

  private onStartTimeout(host: HostProcess): void {
    if (!this.active.is(host) || this.currentState !== 'starting') return
    this.log.error(
      `[supervisor] host pid ${host.pid ?? '?'} did not register within ${this.startTimeoutMs} ms: killing it`,
    )
    this.startFailures.noteNotRegistered(this.active.handle!, this.startTimeoutMs)
    host.kill('SIGKILL')
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

  private signal(host: HostProcess, signal: 'SIGTERM' | 'SIGKILL', announce = true): void {
    if (announce) this.emit({ type: 'signalled', pid: host.pid ?? null, signal })
    try {
      host.kill(signal)
    } catch (err) {
      this.log.error(`[supervisor] ${signal} to host pid ${host.pid ?? '?'} failed: ${String(err)}`)
    }
  }

  private onExit(host: HostProcess, info: HostExitInfo): void {
    if (this.retiring.release(host)) {
      this.log.info(`[supervisor] retired host pid ${host.pid ?? '?'} exited`)
      return
    }
    if (!this.active.is(host)) return
    const handle = this.active.take()!
    handle.exit = info
    handle.state = 'exited'
    handle.dispose()
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
    if (handle.registeredAt === undefined) this.startFailures.noteExited(handle)
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
    this.active.set(standby, { isReplacing: false })
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

  /** The replacement host still starting is dropped (SIGKILL, retired): a standby takes over. */
  private abandonStartingHost(): void {
    const host = this.active.process!
    this.log.info(`[supervisor] standby ready first: dropping the starting host pid ${host.pid ?? '?'}`)
    this.retireCurrent()
    this.signal(host, 'SIGKILL', false)
  }

  /** Moves the active host to the retiring set: its exit is awaited, never taken for a new loss. */
  private retireCurrent(): void {
    const taken = this.active.take()
    if (!taken) return
    taken.role = 'retiring'
    this.retiring.add(taken.process)
  }

  private setState(state: SupervisorState, e: SupervisorEvent): void {
    this.currentState = state
    this.emit(e)
  }

  private emit(e: SupervisorEvent): void {
    this.didChange.fire(e)
  }
}

function describeExit(info: HostExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code ?? '?'}`
}
