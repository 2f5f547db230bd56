import type { Clock } from '../base/clock'
import { DisposableStore, type Disposable } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import type { Logger } from '../base/logger'
import { TimerSlot } from '../base/timer-slot'
import type { HostConnection, HostRegistration } from '../ipc/host-registration'
import { HOST_EXIT_WAIT_MS } from './host-exits'
import { signalHost, type HostHandle } from './host-handle'
import type { HostExitInfo } from './host-spawner'
import { START_FAILURE_WINDOW_MS, type LossKind, type RestartBackoff } from './restart-backoff'
import type { HostSpawns } from './host-spawns'
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
  /** Spawns the standbys (their exits come back to `handleExit`, routed by the supervisor). */
  spawns: HostSpawns
  /** Whether any pool slot's host runs: standbys are spawned only then (they are its spares). */
  isServing: () => boolean
}

/**
 * How long after a promotion the replacement standby is spawned (ms): the lost host's calls wait
 * for its exit at most this long to say how it ended, and by then the promoted host has answered
 * its drain; a fork in that window delays both.
 */
export const REFILL_AFTER_PROMOTION_MS = HOST_EXIT_WAIT_MS

/**
 * The warm standby hosts of one supervisor (docs/launcher.md#warm-standby): spawns them up to the
 * target while a pool slot's host runs, admits their registrations, reports each one ready
 * (`onDidBecomeReady`: the supervisor decides whether to promote it and `take`s it), respawns a
 * lost one per the restart policy, retires them all on request. Follows Chromium's spare renderer
 * (`SpareRenderProcessHostManager`): a process started ahead of need, so a loss costs a handover
 * instead of a cold start.
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
  private readonly disposables = new DisposableStore()
  private readonly didChange = this.disposables.add(new Emitter<SupervisorEvent>())
  private readonly didBecomeReady = this.disposables.add(new Emitter<HostHandle>())

  /** What happened to a standby (`standby-*`, `signalled`), for the supervisor to publish. */
  readonly onDidChange: Listenable<SupervisorEvent> = this.didChange.event
  /** A standby registered and is ready to take over (once per standby). */
  readonly onDidBecomeReady: Listenable<HostHandle> = this.didBecomeReady.event

  constructor(private readonly opts: StandbyPoolOptions) {
    if (!Number.isSafeInteger(opts.target) || opts.target < 0)
      throw new RangeError(`standby must be a non-negative integer, got ${String(opts.target)}`)
    this.refillTimer = this.disposables.add(new TimerSlot(opts.clock))
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
    return this.find(spawnId) !== undefined
  }

  /**
   * The oldest ready standby, or undefined. One whose connection closed stays in the pool until
   * its exit is seen, but is no longer ready: promoting it would cost the slot a second loss.
   */
  firstReady(): HostHandle | undefined {
    return this.standbys.find((s) => s.registeredAt !== undefined && s.connection?.isClosed !== true)
  }

  /**
   * Decides a registration that is the pool's business (docs/launcher.md#warm-standby); returns
   * false when it is not (the supervisor decides). A `role:"standby"` registration is accepted as
   * standby when the pool spawned it (its connection's close is its loss) and refused otherwise. A
   * host the pool spawned that registers without the role does not know the field: it would take
   * the pipe instead of waiting, so it is refused and standby is turned off.
   */
  admit(registration: HostRegistration): boolean {
    const standby = this.find(registration.spawnId)
    if (registration.role === 'standby') {
      if (!standby) registration.refuse('a standby this launcher did not spawn')
      else {
        const connection = registration.accept('standby')
        standby.own(connection.onDidClose((reason) => this.lose(standby.spawnId, reason)))
        this.markReady(standby.spawnId, connection)
      }
      return true
    }
    if (!standby) return false
    this.disable(`host pid ${registration.pid} was spawned as standby but registered without role "standby"`)
    registration.refuse('spawned as standby, registered without the role')
    return true
  }

  /**
   * A standby registered with `role:"standby"`: it is ready (`standby-ready`, then
   * `onDidBecomeReady`). Returns false when `spawnId` is not in the pool.
   */
  markReady(spawnId: string, connection?: HostConnection): boolean {
    const standby = this.find(spawnId)
    if (!standby || this.isClosed) return false
    if (standby.registeredAt !== undefined) return true
    standby.markRegistered(connection, this.opts.clock.now())
    this.opts.backoff.recordRegistered()
    this.didChange.fire({ type: 'standby-ready', pid: standby.pid, spawnId })
    this.didBecomeReady.fire(standby)
    return true
  }

  /** Takes a standby out of the pool to promote it: its exit is then the active host's. */
  take(standby: HostHandle): void {
    this.standbys = this.standbys.filter((s) => s !== standby)
    standby.startTimer.clear()
    standby.role = 'active'
  }

  /**
   * A standby (by spawn id) is of no use: its connection is gone while its process may run. It is
   * SIGKILLed and its exit is handled as a standby's loss. Returns false when it is not ours.
   */
  lose(spawnId: string, detail: string): boolean {
    const standby = this.find(spawnId)
    if (!standby) return false
    this.opts.log.warn(`[supervisor] standby pid ${standby.pid ?? '?'} lost (${detail}): SIGKILL`)
    this.didChange.fire({ type: 'signalled', pid: standby.pid, signal: 'SIGKILL' })
    signalHost(standby.process, 'SIGKILL', this.opts.log)
    return true
  }

  /**
   * Turns standby off for good (a host spawned as standby registered without `role`). Its
   * standbys are stopped. Logs one warning; later calls do nothing.
   */
  disable(reason: string): void {
    if (this.offReason !== undefined) return
    this.offReason = reason
    this.opts.log.warn(`[supervisor] standby turned off: ${reason}`)
    this.didChange.fire({ type: 'standby-off', reason })
    this.refillTimer.clear()
    this.retireAll()
  }

  /** Lifts the pause after too many standby losses (start-host). */
  resume(): void {
    this.isPaused = false
  }

  /** Spawns standbys up to the target while a slot's host runs. */
  fill(): void {
    if (this.isClosed || this.offReason !== undefined || this.isPaused) return
    if (!this.opts.isServing() || this.refillTimer.isArmed) return
    while (this.standbys.length < this.opts.target) if (!this.spawnOne()) return
  }

  /**
   * `fill` REFILL_AFTER_PROMOTION_MS from now (on the clock), unless a respawn is pending already.
   * After a promotion: spawning a process forks the launcher, which blocks its event loop (2 to
   * 50 ms measured here) and then competes for the CPU with the new host's start, while the lost
   * host's calls still wait for its exit to be seen and the promoted host answers its drain.
   * Chromium likewise creates the next spare renderer only after the taken one is on its way.
   */
  fillAfterPromotion(): void {
    if (this.isClosed || this.refillTimer.isArmed) return
    this.refillTimer.set(() => this.fill(), REFILL_AFTER_PROMOTION_MS)
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
      signalHost(s.process, 'SIGTERM', this.opts.log)
    }
    this.opts.retiring.armKill()
  }

  /**
   * A standby's process exited (the supervisor routes exits by role): it leaves the pool, its
   * loss counts toward giving up, and it is replaced per the policy.
   */
  handleExit(standby: HostHandle, info: HostExitInfo): void {
    if (!this.standbys.includes(standby)) return
    this.standbys = this.standbys.filter((s) => s !== standby)
    this.opts.log.warn(
      `[supervisor] standby pid ${standby.pid ?? '?'} exited (code ${info.code}, signal ${info.signal})`,
    )
    this.didChange.fire({ type: 'standby-exited', pid: standby.pid, info, expected: false })
    const readyAt = standby.registeredAt
    const startFailed = readyAt === undefined || this.opts.clock.now() - readyAt < START_FAILURE_WINDOW_MS
    this.onLost(startFailed ? 'start-failure' : 'serving-loss')
  }

  /** The supervisor is being disposed: no more spawns, readiness or loss accounting. */
  close(): void {
    this.isClosed = true
    this.refillTimer.clear()
  }

  dispose(): void {
    this.disposables.dispose()
  }

  private find(spawnId: string | undefined): HostHandle | undefined {
    return spawnId === undefined ? undefined : this.standbys.find((s) => s.spawnId === spawnId)
  }

  private spawnOne(): boolean {
    const standby = this.opts.spawns.spawn('standby')
    if (!standby) {
      this.onLost('start-failure')
      return false
    }
    this.standbys.push(standby)
    const { log, startTimeoutMs } = this.opts
    if (startTimeoutMs > 0)
      standby.startTimer.set(() => {
        log.error(`[supervisor] standby pid ${standby.pid ?? '?'} did not register in time: killing it`)
        signalHost(standby.process, 'SIGKILL', log)
      }, startTimeoutMs)
    log.info(`[supervisor] standby host started (pid ${standby.pid ?? '?'})`)
    this.didChange.fire({ type: 'standby-spawned', pid: standby.pid, spawnId: standby.spawnId })
    return true
  }

  /** A standby was lost: it counts toward giving up; it is respawned per the policy. */
  private onLost(kind: LossKind): void {
    if (this.isClosed) return
    const decision = this.opts.backoff.recordLoss(kind)
    if (decision.action === 'give-up') {
      // The active host is unaffected; only the spares stop until start-host.
      this.isPaused = true
      this.opts.log.error(
        `[supervisor] ${decision.crashesInWindow} host losses within the window: standby paused`,
      )
      this.didChange.fire({ type: 'standby-off', reason: 'too many host losses; start-host resumes it' })
      return
    }
    if (decision.delayMs === 0) return this.fill()
    this.refillTimer.set(() => this.fill(), decision.delayMs)
  }
}
