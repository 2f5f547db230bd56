import { systemClock, type Clock } from '../base/clock'
import { DisposableStore } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import { silentLogger, type Logger } from '../base/logger'
import { TimerSlot } from '../base/timer-slot'
import type { HostExitInfo, HostProcess } from './host-spawner'
import { RestartBackoff, type RestartBackoffOptions } from './restart-backoff'

/**
 * - `starting`: a host process was spawned and has not registered yet.
 * - `running`: the host registered (`markRunning`).
 * - `backoff`: the host crashed; a restart is scheduled.
 * - `stopping`: `stopHost`/`dispose` is bringing the host down.
 * - `stopped`: held down by `stopHost` (or disposed): nothing restarts it but `startHost`.
 * - `gave-up`: too many crashes in the window; nothing restarts it but `startHost`.
 */
export type SupervisorState = 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'gave-up'

/**
 * Why a serving host counts as lost while its process may still run (§8): it went silent
 * (`unresponsive`) or its connection or IPC channel is gone (`channel-gone`).
 */
export type HostLossReason = 'unresponsive' | 'channel-gone'

/** What happened, for logs and the diagnostics event ring. */
export type SupervisorEvent =
  | { type: 'spawned'; pid: number | null; restart: boolean }
  | { type: 'spawn-failed'; error: string }
  | { type: 'running'; pid: number | null }
  | { type: 'exited'; pid: number | null; info: HostExitInfo; expected: boolean }
  | { type: 'restart-scheduled'; delayMs: number; attempt: number }
  | { type: 'gave-up'; crashesInWindow: number }
  | { type: 'stopping'; pid: number | null }
  | { type: 'stopped' }
  | { type: 'signalled'; pid: number | null; signal: 'SIGTERM' | 'SIGKILL' }
  | { type: 'lost'; pid: number | null; reason: HostLossReason; detail: string }

/** How long a host may take to exit after SIGTERM before it gets SIGKILL. */
export const STOP_GRACE_MS = 2_000
/** A host that has not registered this long after its spawn is killed (and counts as a crash). */
export const START_TIMEOUT_MS = 15_000

export interface HostSupervisorOptions {
  /**
   * Starts one host process. Whoever spawns builds its argv and environment (token, socket path,
   * transport): the supervisor only decides when, and names each spawn (`spawnId`, for
   * HOSTPIPE_SPAWN_ID: a registration echoing it is the process we spawned). May throw (counted as
   * a start failure).
   */
  spawn: (spawnId: string) => HostProcess
  /**
   * Closes the launcher's connection to the current host (the polite stop: a host exits when its
   * connection closes). Must be idempotent and must not throw.
   */
  closeHostConnection?: () => void
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
 * Owns the host process lifecycle: spawns it, notices it exit, restarts it with backoff, stops it
 * on request and keeps it down. One host at a time; the process it tracks is the only one whose
 * exit it acts on (an old host's late exit is ignored).
 */
export class HostSupervisor {
  private readonly spawn: (spawnId: string) => HostProcess
  private readonly clock: Clock
  private readonly backoff: RestartBackoff
  private readonly graceMs: number
  private readonly startTimeoutMs: number
  private readonly log: Logger
  private readonly closeHostConnection: () => void
  private readonly disposables = new DisposableStore()
  private readonly didChange = this.disposables.add(new Emitter<SupervisorEvent>())
  private readonly didSpawn = this.disposables.add(new Emitter<HostProcess>())

  /** What happened (state changes, spawns, exits, signals), synchronously, for logs and the feed. */
  readonly onDidChange: Listenable<SupervisorEvent> = this.didChange.event
  /** Each new host process, e.g. to attach its `connection` (port transport). */
  readonly onDidSpawn: Listenable<HostProcess> = this.didSpawn.event

  private current: HostProcess | undefined
  /** HOSTPIPE_SPAWN_ID of `current`: how a registration is matched to the process we spawned. */
  private currentSpawnId: string | undefined
  private spawnCount = 0
  /** The current host was already declared lost (and SIGKILLed): its exit is on its way. */
  private lostHost: HostProcess | undefined
  private currentState: SupervisorState = 'stopped'
  private restartCount = 0
  /** The backoff wait before a restart. */
  private readonly restartTimer: TimerSlot
  /** Kills a host that does not register in time. */
  private readonly startTimer: TimerSlot
  /** SIGKILL for a host still there `graceMs` after SIGTERM. */
  private readonly killTimer: TimerSlot
  /** Gives up waiting for a host still there `graceMs` after SIGKILL. */
  private readonly giveUpTimer: TimerSlot
  /** Set while the host goes down on purpose: its exit is expected, not a crash. */
  private stopIntent: 'stop' | 'dispose' | undefined
  /** `startHost` during `stopping`: spawn again once the old host is gone. */
  private isStartQueued = false
  private exitWaiters: Array<() => void> = []
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
    this.graceMs = opts.graceMs ?? STOP_GRACE_MS
    this.startTimeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS
    this.log = opts.log ?? silentLogger
    this.closeHostConnection = opts.closeHostConnection ?? (() => {})
    this.restartTimer = this.disposables.add(new TimerSlot(this.clock))
    this.startTimer = this.disposables.add(new TimerSlot(this.clock))
    this.killTimer = this.disposables.add(new TimerSlot(this.clock))
    this.giveUpTimer = this.disposables.add(new TimerSlot(this.clock))
  }

  get state(): SupervisorState {
    return this.currentState
  }

  get hostPid(): number | null {
    return this.current?.pid ?? null
  }

  /** Automatic restarts after crashes since the launcher started (only grows). */
  get restarts(): number {
    return this.restartCount
  }

  get host(): HostProcess | undefined {
    return this.current
  }

  /**
   * The spawn id (env HOSTPIPE_SPAWN_ID, echoed as `spawn_id` in `register`) of the host process
   * this supervisor runs now, or undefined. A registration without it is not ours to signal (§4).
   */
  get spawnId(): string | undefined {
    return this.current ? this.currentSpawnId : undefined
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
        if (this.stopIntent === 'dispose') return false
        this.isStartQueued = true
        return true
      case 'backoff':
        this.restartTimer.clear()
        this.spawnHost(false)
        return true
      case 'stopped':
      case 'gave-up':
        this.backoff.reset()
        this.spawnHost(false)
        return true
    }
  }

  /** The host registered: it is running (and its stable-run clock starts). */
  markRunning(): void {
    if (this.currentState !== 'starting') return
    this.startTimer.clear()
    this.backoff.recordRunning()
    this.setState('running', { type: 'running', pid: this.hostPid })
  }

  /**
   * SIGKILLs the host; its exit counts as a crash (restart with backoff, or give up). Returns false
   * when there is no host process to kill.
   */
  killHost(): boolean {
    const host = this.current
    if (!host || this.isDisposed) return false
    this.log.warn(`[supervisor] killing host pid ${host.pid ?? '?'} (SIGKILL)`)
    // Its connection will close before its exit is seen: that is this kill, not a second loss.
    this.lostHost = host
    return host.kill('SIGKILL')
  }

  /**
   * The serving host is lost while its process may live on (ARCHITECTURE §8): it went
   * unresponsive, or its connection (or IPC channel) is gone. It gets SIGKILL, and its exit then
   * takes the crash path (`onExit` → restart with backoff, or give up): the one path every loss
   * of a host goes through. Only for the process this supervisor spawned (the caller matches
   * `spawnId`); once per host. Returns false when there is nothing to do (no running host,
   * stopping, or already lost).
   */
  loseHost(reason: HostLossReason, detail: string): boolean {
    const host = this.current
    if (!host || this.isDisposed || this.currentState !== 'running' || this.lostHost === host) return false
    this.lostHost = host
    const pid = host.pid ?? null
    this.log.warn(`[supervisor] host pid ${pid ?? '?'} lost (${reason}): ${detail}; SIGKILL`)
    this.emit({ type: 'lost', pid, reason, detail })
    try {
      host.kill('SIGKILL')
    } catch (err) {
      this.log.warn(`[supervisor] SIGKILL to host pid ${pid ?? '?'} failed: ${String(err)}`)
    }
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
        return Promise.resolve()
      case 'backoff':
      case 'gave-up':
        this.restartTimer.clear()
        this.setState('stopped', { type: 'stopped' })
        return Promise.resolve()
      case 'stopping':
        return this.whenExited()
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
    if (this.isDisposed) return this.current ? this.whenExited() : Promise.resolve()
    this.isDisposed = true
    this.isStartQueued = false
    this.restartTimer.clear()
    this.startTimer.clear()
    if (!this.current) {
      if (this.currentState !== 'stopped') this.setState('stopped', { type: 'stopped' })
      this.disposables.dispose()
      return Promise.resolve()
    }
    return this.bringDown('dispose').finally(() => this.disposables.dispose())
  }

  // ---------------------------------------------------------------------------------------------

  private spawnHost(isRestart: boolean): void {
    let host: HostProcess
    try {
      const spawnId = String(++this.spawnCount)
      host = this.spawn(spawnId)
      this.currentSpawnId = spawnId
    } catch (err) {
      this.log.error(`[supervisor] spawning the host failed: ${String(err)}`)
      this.emit({ type: 'spawn-failed', error: String(err) })
      this.onCrash()
      return
    }
    this.current = host
    if (isRestart) this.restartCount++
    host.onExit((info) => this.onExit(host, info))
    this.log.info(
      `[supervisor] host started (pid ${host.pid ?? '?'})${isRestart ? ` — restart #${this.restartCount}` : ''}`,
    )
    this.setState('starting', { type: 'spawned', pid: host.pid ?? null, restart: isRestart })
    if (this.startTimeoutMs > 0) this.startTimer.set(() => this.onStartTimeout(host), this.startTimeoutMs)
    this.didSpawn.fire(host)
  }

  private onStartTimeout(host: HostProcess): void {
    if (host !== this.current || this.currentState !== 'starting') return
    this.log.error(
      `[supervisor] host pid ${host.pid ?? '?'} did not register within ${this.startTimeoutMs} ms: killing it`,
    )
    host.kill('SIGKILL')
  }

  private bringDown(intent: 'stop' | 'dispose'): Promise<void> {
    const host = this.current!
    const exited = this.whenExited()
    this.stopIntent = intent
    this.startTimer.clear()
    this.killTimer.clear()
    this.giveUpTimer.clear()
    this.setState('stopping', { type: 'stopping', pid: host.pid ?? null })
    // Armed before any signal: a process may report its exit from inside `kill`.
    this.killTimer.set(() => {
      if (host !== this.current) return
      this.log.warn(
        `[supervisor] host pid ${host.pid ?? '?'} ignored SIGTERM for ${this.graceMs} ms: SIGKILL`,
      )
      this.giveUpTimer.set(() => {
        // A process that survives SIGKILL is beyond our reach; do not hang the caller on it.
        if (host !== this.current) return
        this.log.error(`[supervisor] host pid ${host.pid ?? '?'} did not exit after SIGKILL`)
        this.resolveExitWaiters()
      }, this.graceMs)
      this.signal(host, 'SIGKILL')
    }, this.graceMs)
    // The polite way first: a host exits when its connection closes. SIGTERM backs it up at once
    // (a wedged host never reads the EOF), SIGKILL after the grace period.
    try {
      this.closeHostConnection()
    } catch (err) {
      this.log.error(`[supervisor] closing the host connection threw: ${String(err)}`)
    }
    if (host === this.current) this.signal(host, 'SIGTERM')
    return exited
  }

  private signal(host: HostProcess, signal: 'SIGTERM' | 'SIGKILL'): void {
    this.emit({ type: 'signalled', pid: host.pid ?? null, signal })
    try {
      host.kill(signal)
    } catch (err) {
      this.log.error(`[supervisor] ${signal} to host pid ${host.pid ?? '?'} failed: ${String(err)}`)
    }
  }

  private onExit(host: HostProcess, info: HostExitInfo): void {
    if (host !== this.current) return
    this.current = undefined
    this.currentSpawnId = undefined
    this.lostHost = undefined
    this.startTimer.clear()
    this.killTimer.clear()
    this.giveUpTimer.clear()
    const intent = this.stopIntent
    this.stopIntent = undefined
    const pid = host.pid ?? null
    const how = info.signal ? `signal ${info.signal}` : `code ${info.code ?? '?'}`
    if (intent) {
      this.log.info(`[supervisor] host pid ${pid ?? '?'} stopped (${how})`)
      this.emit({ type: 'exited', pid, info, expected: true })
      this.resolveExitWaiters()
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
    this.emit({ type: 'exited', pid, info, expected: false })
    this.resolveExitWaiters()
    this.onCrash()
  }

  private onCrash(): void {
    const decision = this.backoff.recordCrash()
    if (decision.action === 'give-up') {
      this.log.error(
        `[supervisor] host crashed ${decision.crashesInWindow} times within the window: giving up (start-host to retry)`,
      )
      this.setState('gave-up', { type: 'gave-up', crashesInWindow: decision.crashesInWindow })
      return
    }
    this.log.info(`[supervisor] restarting host in ${decision.delayMs} ms (attempt ${decision.attempt + 1})`)
    this.setState('backoff', {
      type: 'restart-scheduled',
      delayMs: decision.delayMs,
      attempt: decision.attempt,
    })
    this.restartTimer.set(() => {
      if (this.currentState === 'backoff') this.spawnHost(true)
    }, decision.delayMs)
  }

  private whenExited(): Promise<void> {
    return new Promise<void>((resolve) => this.exitWaiters.push(resolve))
  }

  private resolveExitWaiters(): void {
    const waiters = this.exitWaiters
    this.exitWaiters = []
    for (const resolve of waiters) resolve()
  }

  private setState(state: SupervisorState, e: SupervisorEvent): void {
    this.currentState = state
    this.emit(e)
  }

  private emit(e: SupervisorEvent): void {
    this.didChange.fire(e)
  }
}
