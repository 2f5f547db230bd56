import type { TransportKind } from '../../shared/diagnostics'
import { silentLogger, systemClock, type Clock, type Logger } from '../host-pipe'
import type { HostProcess, HostSpawner } from './host-spawner'
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

export interface HostExitInfo {
  code: number | null
  signal: string | null
  crashed: boolean
}

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

export type SupervisorListener = (e: SupervisorEvent) => void

/** How long a host may take to exit after SIGTERM before it gets SIGKILL. */
export const STOP_GRACE_MS = 2_000
/** A host that has not registered this long after its spawn is killed (and counts as a crash). */
export const START_TIMEOUT_MS = 15_000

export interface HostSupervisorOptions {
  spawner: HostSpawner
  transport: TransportKind
  /** The host token (never the API token), passed as HOSTPIPE_TOKEN. */
  token: string
  /** The pipe transport's socket path, passed as HOSTPIPE_PIPE; null with the port transport. */
  socketPath: string | null
  /** Extra argv for each host. */
  hostArgs?: string[]
  /**
   * Closes the launcher's connection to the current host (the polite stop: a host exits when its
   * connection closes). Must be idempotent and must not throw.
   */
  closeHostConnection?: () => void
  /** Called with each new host process, e.g. to attach its `connection` (port transport). */
  onSpawn?: (host: HostProcess) => void
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
  private readonly spawner: HostSpawner
  private readonly clock: Clock
  private readonly backoff: RestartBackoff
  private readonly graceMs: number
  private readonly startTimeoutMs: number
  private readonly log: Logger
  private readonly transport: TransportKind
  private readonly env: Record<string, string>
  private readonly hostArgs: string[]
  private readonly closeHostConnection: () => void
  private readonly onSpawn: ((host: HostProcess) => void) | undefined
  private readonly listeners = new Set<SupervisorListener>()

  private current: HostProcess | undefined
  private currentState: SupervisorState = 'stopped'
  private restartCount = 0
  private restartTimer: unknown
  private startTimer: unknown
  private termTimer: unknown
  private killTimer: unknown
  /** Set while the host goes down on purpose: its exit is expected, not a crash. */
  private stopIntent: 'stop' | 'dispose' | undefined
  /** `startHost` during `stopping`: spawn again once the old host is gone. */
  private isStartQueued = false
  private exitWaiters: Array<() => void> = []
  private isDisposed = false

  constructor(opts: HostSupervisorOptions) {
    this.spawner = opts.spawner
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
    this.hostArgs = opts.hostArgs ?? []
    this.closeHostConnection = opts.closeHostConnection ?? (() => {})
    this.onSpawn = opts.onSpawn
    this.transport = opts.transport
    this.env = { HOSTPIPE_TOKEN: opts.token, HOSTPIPE_TRANSPORT: opts.transport }
    if (opts.transport === 'pipe' && opts.socketPath !== null) this.env.HOSTPIPE_PIPE = opts.socketPath
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

  /** Calls `fn` synchronously after every state change. Returns the unsubscribe function. */
  subscribe(fn: SupervisorListener): () => void {
    this.listeners.add(fn)
    return () => {
      this.listeners.delete(fn)
    }
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
        this.clearTimer('restartTimer')
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
    this.clearTimer('startTimer')
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
    return host.kill('SIGKILL')
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
        this.clearTimer('restartTimer')
        this.setState('stopped', { type: 'stopped' })
        return Promise.resolve()
      case 'stopping':
        return this.whenExited()
      case 'starting':
      case 'running':
        return this.bringDown('stop')
    }
  }

  /** Terminates the host (SIGTERM, then SIGKILL) and resolves once it exited: no orphans. */
  dispose(): Promise<void> {
    if (this.isDisposed) return this.current ? this.whenExited() : Promise.resolve()
    this.isDisposed = true
    this.isStartQueued = false
    this.clearTimer('restartTimer')
    this.clearTimer('startTimer')
    if (!this.current) {
      if (this.currentState !== 'stopped') this.setState('stopped', { type: 'stopped' })
      this.listeners.clear()
      return Promise.resolve()
    }
    return this.bringDown('dispose').finally(() => this.listeners.clear())
  }

  // ---------------------------------------------------------------------------------------------

  private spawnHost(isRestart: boolean): void {
    let host: HostProcess
    try {
      host = this.spawner.spawn({ transport: this.transport, env: { ...this.env }, args: [...this.hostArgs] })
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
    if (this.startTimeoutMs > 0)
      this.startTimer = this.clock.setTimeout(() => this.onStartTimeout(host), this.startTimeoutMs)
    try {
      this.onSpawn?.(host)
    } catch (err) {
      this.log.error(`[supervisor] onSpawn threw: ${String(err)}`)
    }
  }

  private onStartTimeout(host: HostProcess): void {
    this.startTimer = undefined
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
    this.clearTimer('startTimer')
    this.clearTimer('killTimer')
    this.clearTimer('termTimer')
    this.setState('stopping', { type: 'stopping', pid: host.pid ?? null })
    // Armed before any signal: a process may report its exit from inside `kill`.
    this.killTimer = this.clock.setTimeout(() => {
      this.killTimer = undefined
      if (host !== this.current) return
      this.log.warn(
        `[supervisor] host pid ${host.pid ?? '?'} ignored SIGTERM for ${this.graceMs} ms: SIGKILL`,
      )
      this.termTimer = this.clock.setTimeout(() => {
        // A process that survives SIGKILL is beyond our reach; do not hang the caller on it.
        this.termTimer = undefined
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
    this.clearTimer('startTimer')
    this.clearTimer('killTimer')
    this.clearTimer('termTimer')
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
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined
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

  private clearTimer(name: 'restartTimer' | 'startTimer' | 'termTimer' | 'killTimer'): void {
    if (this[name] === undefined) return
    this.clock.clearTimeout(this[name])
    this[name] = undefined
  }

  private setState(state: SupervisorState, e: SupervisorEvent): void {
    this.currentState = state
    this.emit(e)
  }

  private emit(e: SupervisorEvent): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(e)
      } catch (err) {
        this.log.error(`[supervisor] listener threw: ${String(err)}`)
      }
    }
  }
}
