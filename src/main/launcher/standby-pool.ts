import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import type { Logger } from '../base/logger'
import { TimerSlot } from '../base/timer-slot'
import type { HostConnection } from '../ipc/host-registration'
import { HostHandle } from './host-handle'
import type { HostExitInfo, HostProcess } from './host-spawner'
import { START_FAILURE_WINDOW_MS, type RestartBackoff, type RestartDecision } from './restart-backoff'
import type { RetiringHosts } from './retiring-hosts'
import type { SupervisorEvent } from './supervisor-event'

export interface StandbyPoolOptions {
  /** Warm standby hosts to keep (`--standby N`, docs/launcher.md); a non-negative integer. */
  target: number
  clock: Clock
  /** A standby that has not registered this long (ms) after its spawn is killed; 0 disables. */
  startTimeoutMs: number
  log: Logger
  /** The supervisor's policy: a standby's loss counts toward giving up like the active host's. */
  backoff: RestartBackoff
  /** Where retired standbys go: their exit is awaited with the supervisor's other retiring hosts. */
  retiring: RetiringHosts
  /** The next spawn id (shared with the active host's spawns: ids are unique per supervisor). */
  nextSpawnId: () => string
  /** Starts one host with role `standby`; may throw (counted as a start failure). */
  spawn: (spawnId: string) => HostProcess
  /** Standbys are spawned only while this holds (the active host runs: not starting or stopping). */
  isActiveRunning: () => boolean
  emit: (e: SupervisorEvent) => void
  /** Each standby process, once spawned (the supervisor's `onDidSpawn`). */
  didSpawn: (host: HostProcess) => void
  /** Sends a signal (announced as a `signalled` event or not); must not throw. */
  signal: (host: HostProcess, signal: 'SIGTERM' | 'SIGKILL', announce: boolean) => void
  /** The exit of a standby that left the pool (promoted or retired): the supervisor's exit path. */
  onExitOutsidePool: (host: HostProcess, info: HostExitInfo) => void
}

/**
 * The warm standby hosts of one supervisor: spawns them up to the target while the active host
 * runs, marks them ready, respawns a lost one per the restart policy, retires them all on request.
 * The supervisor keeps the orchestration: it asks for a ready standby (`firstReady`) and `take`s
 * it to promote it. Follows Chromium's spare renderer (`SpareRenderProcessHostManager`): a process
 * started ahead of need, so a loss costs a handover instead of a cold start.
 */
export class StandbyPool implements Disposable {
  private standbys: HostHandle[] = []
  /** Why standby is off (a host that does not know `role`), or undefined. */
  private offReason: string | undefined
  /** Standbys are not respawned until start-host: their losses made the policy give up. */
  private isPaused = false
  /** Set when the supervisor is disposed: nothing is spawned, marked ready or counted any more. */
  private isClosed = false
  /** The wait before a standby is spawned again after a start failure. */
  private readonly refillTimer: TimerSlot

  constructor(private readonly opts: StandbyPoolOptions) {
    this.refillTimer = new TimerSlot(opts.clock)
  }

  /** How many standby hosts are registered and ready to take over. */
  get readyCount(): number {
    return this.standbys.filter((s) => s.registeredAt !== undefined).length
  }

  /** The pids of the ready standbys, oldest first. */
  get readyPids(): number[] {
    return this.standbys.flatMap((s) =>
      s.registeredAt !== undefined && s.process.pid !== undefined ? [s.process.pid] : [],
    )
  }

  /** Whether `spawnId` names a standby in the pool (spawned, not promoted nor retired). */
  has(spawnId: string | undefined): boolean {
    return spawnId !== undefined && this.standbys.some((s) => s.spawnId === spawnId)
  }

  /** The oldest ready standby, or undefined. */
  firstReady(): HostHandle | undefined {
    return this.standbys.find((s) => s.registeredAt !== undefined)
  }

  /**
   * A standby registered with `role:"standby"`: it is ready (`standby-ready` event). Returns it,
   * with `isNew` false when it was ready already, or undefined when `spawnId` is not in the pool.
   */
  markReady(
    spawnId: string,
    connection?: HostConnection,
  ): { standby: HostHandle; isNew: boolean } | undefined {
    const standby = this.standbys.find((s) => s.spawnId === spawnId)
    if (!standby || this.isClosed) return undefined
    if (standby.registeredAt !== undefined) return { standby, isNew: false }
    standby.markRegistered(connection, this.opts.clock.now())
    this.opts.backoff.recordRegistered()
    this.opts.emit({ type: 'standby-ready', pid: standby.process.pid ?? null, spawnId })
    return { standby, isNew: true }
  }

  /** Takes a standby out of the pool (to promote it): its exit is then the supervisor's. */
  take(standby: HostHandle): void {
    this.standbys = this.standbys.filter((s) => s !== standby)
    standby.startTimer.clear()
    standby.role = 'active'
  }

  /** The standby in the pool with this spawn id, or undefined. */
  find(spawnId: string | undefined): HostHandle | undefined {
    return this.standbys.find((s) => s.spawnId === spawnId)
  }

  /**
   * A standby (by spawn id) is of no use: its connection is gone while its process may run. It is
   * SIGKILLed and its exit is handled as a standby's loss. Returns false when it is not ours.
   */
  lose(spawnId: string, detail: string): boolean {
    const standby = this.standbys.find((s) => s.spawnId === spawnId)
    if (!standby) return false
    this.opts.log.warn(`[supervisor] standby pid ${standby.process.pid ?? '?'} lost (${detail}): SIGKILL`)
    this.opts.signal(standby.process, 'SIGKILL', true)
    return true
  }

  /**
   * Turns standby off for good (a host spawned as standby registered without `role`: it would
   * take the pipe instead of waiting). Its standbys are stopped. Logs one
   * warning; later calls do nothing.
   */
  disable(reason: string): void {
    if (this.offReason !== undefined) return
    this.offReason = reason
    this.opts.log.warn(`[supervisor] standby turned off: ${reason}`)
    this.opts.emit({ type: 'standby-off', reason })
    this.refillTimer.clear()
    this.retireAll()
  }

  /** Lifts the pause after too many standby losses (start-host). */
  resume(): void {
    this.isPaused = false
  }

  /** Spawns standbys up to the target while the active host runs (not while it starts or stops). */
  fill(): void {
    if (this.isClosed || this.offReason !== undefined || this.isPaused) return
    if (!this.opts.isActiveRunning() || this.refillTimer.isArmed) return
    while (this.standbys.length < this.opts.target) if (!this.spawnOne()) return
  }

  /**
   * `fill` on the next turn of the event loop (a 0 ms timer on the clock), unless a respawn is
   * pending already. After a promotion: spawning a process forks the launcher, which blocks its
   * event loop for some ms (2 to 15 measured here), and the promoted host's drain and its first
   * acks must not wait behind that. Chromium likewise creates the next spare renderer only after
   * the taken one is on its way.
   */
  fillSoon(): void {
    if (this.isClosed || this.refillTimer.isArmed) return
    this.refillTimer.set(() => this.fill(), 0)
  }

  /** Cancels a pending respawn after a start failure. */
  cancelRefill(): void {
    this.refillTimer.clear()
  }

  /** Every standby goes down (SIGTERM, then SIGKILL after the grace period) and retires. */
  retireAll(): void {
    const standbys = this.standbys
    this.standbys = []
    for (const s of standbys) {
      s.startTimer.clear()
      s.role = 'retiring'
      this.opts.retiring.add(s.process)
      this.opts.signal(s.process, 'SIGTERM', false)
    }
    this.opts.retiring.armKill()
  }

  /** The supervisor is being disposed: no more spawns, readiness or loss accounting. */
  close(): void {
    this.isClosed = true
    this.refillTimer.clear()
  }

  dispose(): void {
    this.refillTimer.dispose()
  }

  private spawnOne(): boolean {
    const spawnId = this.opts.nextSpawnId()
    let host: HostProcess
    try {
      host = this.opts.spawn(spawnId)
    } catch (err) {
      this.opts.log.error(`[supervisor] spawning a standby host failed: ${String(err)}`)
      this.opts.emit({ type: 'spawn-failed', error: String(err) })
      this.onLost('start-failure')
      return false
    }
    // Not in a DisposableStore: one per standby spawn would pile up; it is disposed at its exit.
    const standby = new HostHandle(spawnId, host, 'standby', this.opts.clock)
    this.standbys.push(standby)
    standby.own(host.onExit((info) => this.onExit(standby, info)))
    if (this.opts.startTimeoutMs > 0)
      standby.startTimer.set(() => {
        this.opts.log.error(
          `[supervisor] standby pid ${host.pid ?? '?'} did not register in time: killing it`,
        )
        this.opts.signal(host, 'SIGKILL', false)
      }, this.opts.startTimeoutMs)
    this.opts.log.info(`[supervisor] standby host started (pid ${host.pid ?? '?'})`)
    this.opts.emit({ type: 'standby-spawned', pid: host.pid ?? null, spawnId })
    this.opts.didSpawn(host)
    return true
  }

  private onExit(standby: HostHandle, info: HostExitInfo): void {
    standby.exit = info
    standby.state = 'exited'
    standby.startTimer.dispose()
    // Promoted (now the active host) or retired: the active host's path handles its exit.
    if (!this.standbys.includes(standby)) return this.opts.onExitOutsidePool(standby.process, info)
    this.standbys = this.standbys.filter((s) => s !== standby)
    const pid = standby.process.pid ?? null
    this.opts.log.warn(
      `[supervisor] standby pid ${pid ?? '?'} exited (code ${info.code}, signal ${info.signal})`,
    )
    this.opts.emit({ type: 'standby-exited', pid, info, expected: false })
    const now = this.opts.clock.now()
    const readyAt = standby.registeredAt
    const startFailed = readyAt === undefined || now - readyAt < START_FAILURE_WINDOW_MS
    this.onLost(startFailed ? 'start-failure' : 'serving-loss')
  }

  /** A standby was lost: it counts toward giving up; it is respawned per the policy. */
  private onLost(kind: 'start-failure' | 'serving-loss'): void {
    if (this.isClosed) return
    const decision: RestartDecision = this.opts.backoff.recordLoss(kind)
    if (decision.action === 'give-up') {
      // The active host is unaffected; only the spares stop until start-host.
      this.isPaused = true
      this.opts.log.error(
        `[supervisor] ${decision.crashesInWindow} host losses within the window: standby paused`,
      )
      this.opts.emit({ type: 'standby-off', reason: 'too many host losses; start-host resumes it' })
      return
    }
    if (decision.delayMs === 0) return this.fill()
    this.refillTimer.set(() => this.fill(), decision.delayMs)
  }
}
