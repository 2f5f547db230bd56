// One pool slot of HostSupervisor: its parts and what the slot does on a request (start, stop,
// kill, lose) and on its active host's exit. Apart from the supervisor, which owns what the slots
// share (spawns, standbys, retiring hosts, restart budget) and fans each request out to them.
import type { Clock } from '../base/clock'
import { DisposableStore, type Disposable } from '../base/disposable'
import type { Listenable } from '../base/emitter'
import type { Logger } from '../base/logger'
import { ActiveHost } from './active-host'
import { Failover } from './failover'
import { signalHost } from './host-handle'
import { HostShutdown, type StopIntent } from './host-shutdown'
import type { HostExitInfo } from './host-spawner'
import type { HostSpawns } from './host-spawns'
import type { RestartBackoff } from './restart-backoff'
import type { RetiringHosts } from './retiring-hosts'
import type { StandbyPool } from './standby-pool'
import {
  SupervisorStatus,
  type HostLossReason,
  type SupervisorEvent,
  type SupervisorState,
} from './supervisor-event'

/** What a slot shares with the rest of the pool; HostSupervisor owns all of it. */
export interface HostSlotOptions {
  /** The slot's index (0…slots−1): a promoted standby takes this slot's pipe. */
  index: number
  clock: Clock
  log: Logger
  backoff: RestartBackoff
  /** How long (ms) the host may take to exit after SIGTERM, and again after SIGKILL. */
  graceMs: number
  /** A host not registered this many ms after its spawn is killed; 0 disables. */
  startTimeoutMs: number
  retiring: RetiringHosts
  spawns: HostSpawns
  standbys: StandbyPool
  /** Closes the launcher's connection to this slot's host. Must be idempotent and must not throw. */
  closeHostConnection: (reason: string) => void
  /** Another slot's host is serving: the standbys are its spares still. */
  isAnotherSlotRunning: () => boolean
}

/**
 * One pool slot: its active host (ActiveHost), how that host is replaced when lost (Failover) and
 * stopped on request (HostShutdown), and its state (SupervisorStatus, whose events are the slot's).
 */
export class HostSlot implements Disposable {
  readonly index: number
  readonly active: ActiveHost
  readonly failover: Failover
  private readonly shutdown: HostShutdown
  private readonly status: SupervisorStatus
  /** `start` during `stopping`: spawn again once the old host is gone. */
  private isStartQueued = false
  private readonly disposables = new DisposableStore()

  /** What happened in this slot (state changes, spawns, exits, signals), synchronously. */
  readonly onDidChange: Listenable<SupervisorEvent>

  constructor(private readonly opts: HostSlotOptions) {
    this.index = opts.index
    this.status = this.disposables.add(new SupervisorStatus())
    this.onDidChange = this.status.onDidChange
    const active = new ActiveHost({
      log: opts.log,
      startTimeoutMs: opts.startTimeoutMs,
      retiring: opts.retiring,
    })
    this.active = active
    this.shutdown = this.disposables.add(
      new HostShutdown({
        clock: opts.clock,
        graceMs: opts.graceMs,
        log: opts.log,
        closeHostConnection: opts.closeHostConnection,
        signal: (host, signal) => {
          this.status.emit({ type: 'signalled', pid: host.pid ?? null, signal })
          signalHost(host, signal, opts.log)
        },
        isCurrent: (host) => active.is(host),
      }),
    )
    this.failover = this.disposables.add(
      new Failover({
        slot: opts.index,
        clock: opts.clock,
        log: opts.log,
        backoff: opts.backoff,
        status: this.status,
        active,
        standbys: opts.standbys,
        spawns: opts.spawns,
        closeHostConnection: opts.closeHostConnection,
        isAnotherSlotRunning: opts.isAnotherSlotRunning,
      }),
    )
  }

  get state(): SupervisorState {
    return this.status.state
  }

  /**
   * Starts the slot's host unless one is up or coming; a wait in `backoff` is cut short, and a
   * start during `stopping` waits for the old host's exit. `resetPool` is called before a start
   * from `stopped`/`gave-up` (their crash history is cleared). Returns false when the host was
   * already running or starting, or is being disposed.
   */
  start(resetPool: () => void): boolean {
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
        resetPool()
        this.failover.spawnActive(false)
        return true
    }
  }

  /** The host registered: it is running (and its stable-run clock starts); standbys follow. */
  markRunning(): void {
    if (this.state !== 'starting') return
    this.active.markRunning()
    this.opts.backoff.recordRunning(undefined, this.index)
    this.status.set('running', { type: 'running', pid: this.active.pid })
    this.opts.standbys.fill()
  }

  /**
   * SIGKILLs the host: a serving one is lost at once (`lose`), a starting one's exit counts as a
   * start failure. Returns false when there is no host process.
   */
  kill(): boolean {
    const host = this.active.process
    if (!host) return false
    if (this.state === 'running') return this.lose('killed', 'kill-host')
    this.opts.log.warn(`[supervisor] killing host pid ${host.pid ?? '?'} (SIGKILL)`)
    // Its connection will close before its exit is seen: that is this kill, not a second loss.
    this.active.markLost()
    return host.kill('SIGKILL')
  }

  /**
   * The serving host is lost (see HostSupervisor.loseHost): SIGKILL, it retires, and it is
   * replaced at once. Returns false when there is nothing to do (no running host, or already lost).
   */
  lose(reason: HostLossReason, detail: string): boolean {
    if (!this.active.process || this.state !== 'running' || this.active.isLost) return false
    this.failover.lose(reason, detail)
    return true
  }

  /** Stops the host and keeps it down; resolves once it (and every retiring host) has exited. */
  stop(): Promise<void> {
    const { retiring, standbys } = this.opts
    this.isStartQueued = false
    switch (this.state) {
      case 'stopped':
        return retiring.whenRetired()
      case 'backoff':
      case 'gave-up':
        this.failover.cancelRestart()
        this.status.set('stopped', { type: 'stopped' })
        standbys.retireAll()
        return retiring.whenRetired()
      case 'stopping':
        return Promise.all([this.shutdown.whenExited(), retiring.whenRetired()]).then(() => undefined)
      case 'starting':
      case 'running':
        return this.bringDown('stop')
    }
  }

  /**
   * The final stop (supervisor disposed): nothing restarts, the host goes down. Returns its exit,
   * or undefined when there was no host process.
   */
  stopForGood(): Promise<void> | undefined {
    this.isStartQueued = false
    this.failover.cancelRestart()
    this.active.clearStartTimeout()
    if (this.active.process) return this.bringDown('dispose')
    if (this.state !== 'stopped') this.status.set('stopped', { type: 'stopped' })
    return undefined
  }

  /** Resolves once the host being stopped has exited, or the retiring hosts, without a host. */
  whenDown(): Promise<void> {
    return this.active.process ? this.shutdown.whenExited() : this.opts.retiring.whenRetired()
  }

  /** The active host's process exited: a planned stop ends, anything else is a crash to replace. */
  handleExit(info: HostExitInfo): void {
    const { log } = this.opts
    const handle = this.active.take()!
    const intent = this.shutdown.finish()
    const pid = handle.process.pid ?? null
    const how = info.signal ? `signal ${info.signal}` : `code ${info.code ?? '?'}`
    if (intent) {
      log.info(`[supervisor] host pid ${pid ?? '?'} stopped (${how})`)
      this.status.emit({ type: 'exited', pid, info, expected: true })
      this.shutdown.resolveWaiters()
      if (this.isStartQueued && intent === 'stop') {
        this.isStartQueued = false
        this.opts.backoff.reset()
        this.failover.spawnActive(false)
      } else this.status.set('stopped', { type: 'stopped' })
      return
    }
    // The host should always be up, so any exit we did not ask for counts as a crash, a clean
    // one included: otherwise a host that keeps exiting 0 would be restarted without limit.
    log.warn(`[supervisor] host pid ${pid ?? '?'} ${info.crashed ? 'crashed' : 'exited'} (${how})`)
    this.active.noteCrashed(handle)
    this.status.emit({ type: 'exited', pid, info, expected: false })
    this.shutdown.resolveWaiters()
    this.failover.replace()
  }

  dispose(): void {
    this.disposables.dispose()
  }

  private bringDown(intent: StopIntent): Promise<void> {
    const { retiring, standbys } = this.opts
    const host = this.active.process!
    // Standbys go down with the active hosts, and nothing is promoted while they go (not a loss).
    standbys.cancelRefill()
    standbys.retireAll()
    const exited = Promise.all([this.shutdown.whenExited(), retiring.whenRetired()]).then(() => undefined)
    this.shutdown.begin(intent)
    this.active.clearStartTimeout()
    this.status.set('stopping', { type: 'stopping', pid: host.pid ?? null })
    this.shutdown.signalDown(host)
    return exited
  }
}
