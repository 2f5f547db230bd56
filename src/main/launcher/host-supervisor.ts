import { systemClock, type Clock } from '../base/clock'
import { DisposableStore } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import { silentLogger, type Logger } from '../base/logger'
import type { HostRegistration } from '../ipc/host-registration'
import type { HostStartError } from '../../shared/host-start-error'
import { signalHost, type HostHandle } from './host-handle'
import type { HostExitInfo, HostProcess } from './host-spawner'
import { HostSpawns, type SpawnHost } from './host-spawns'
import { HostSlot } from './host-slot'
import { RestartBackoff, type RestartBackoffOptions } from './restart-backoff'
import { RetiringHosts } from './retiring-hosts'
import { StandbyPool } from './standby-pool'
import type { HostLossReason, SupervisorEvent, SupervisorState } from './supervisor-event'

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
   * Closes the launcher's connection to `slot`'s host (the polite stop: a host exits when its
   * connection closes). Must be idempotent and must not throw.
   */
  closeHostConnection?: (reason: string, slot: number) => void
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
  /**
   * Pool slots (`hosts`, docs/parallel-work.md#a-pool-of-hosts): each has its own active host,
   * supervised as one; the standbys and the restart budget are the pool's. Default 1.
   */
  slots?: number
  log?: Logger
}

/**
 * Owns the host processes' lifecycle: spawns each pool slot's active host and the warm standbys,
 * notices a loss, replaces it (a ready standby promoted into the slot that lost its host at once,
 * else a spawn: at once after a serving loss, with backoff after a start failure, see
 * RestartBackoff), stops them all on request and keeps them down. One active host per slot at a
 * time: a host that is lost or replaced is *retiring* (its exit is awaited, never acted on:
 * RetiringHosts), so an old host's late exit never touches its successor. Its parts
 * (docs/launcher.md, the supervisor's parts): HostSpawns spawns every host; per slot, ActiveHost
 * holds the active one and its start, Failover replaces it when it is lost and HostShutdown stops
 * it on request; StandbyPool keeps the pool's warm standbys (after Chromium's spare renderer).
 * The supervisor owns them all, answers requests and routes each exit by role and slot. Every
 * method without a `slot` acts on slot 0, or on every slot where it says so.
 */
export class HostSupervisor {
  private readonly clock: Clock
  private readonly backoff: RestartBackoff
  private readonly startTimeoutMs: number
  private readonly log: Logger
  private readonly disposables = new DisposableStore()
  private readonly didChange = this.disposables.add(new Emitter<SupervisorEvent>())

  /** What happened in any slot (state changes, spawns, exits, signals), synchronously, for logs and the feed. */
  readonly onDidChange: Listenable<SupervisorEvent> = this.didChange.event

  private readonly slots: readonly HostSlot[]
  private readonly spawns: HostSpawns
  private readonly standbyPool: StandbyPool
  /** Hosts lost, replaced or being stopped whose exit is still awaited (no orphans). */
  private readonly retiring: RetiringHosts
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
    const slotCount = opts.slots ?? 1
    if (!Number.isSafeInteger(slotCount) || slotCount < 1)
      throw new RangeError(`slots must be a positive integer, got ${String(slotCount)}`)
    this.spawns = this.disposables.add(new HostSpawns(opts.spawn, this.clock, this.log))
    this.disposables.add(this.spawns.onDidExit(({ handle, info }) => this.onExit(handle, info)))
    this.disposables.add(
      this.spawns.onDidFail(({ role, slot, error }) => {
        if (role === 'active') this.slotAt(slot ?? 0).active.noteSpawnFailed(error)
        this.emit({ type: 'spawn-failed', error: String(error) })
      }),
    )
    const close = opts.closeHostConnection ?? (() => {})
    this.retiring = this.disposables.add(
      new RetiringHosts({
        clock: this.clock,
        graceMs,
        kill: (host) => signalHost(host, 'SIGKILL', this.log),
      }),
    )
    const slots: HostSlot[] = []
    this.standbyPool = this.disposables.add(
      new StandbyPool({
        target: opts.standby ?? 0,
        clock: this.clock,
        startTimeoutMs: this.startTimeoutMs,
        log: this.log,
        backoff: this.backoff,
        retiring: this.retiring,
        spawns: this.spawns,
        // Any serving slot keeps the spares: one slot stopped or given up must not leave another
        // without its replacement on a loss.
        isServing: () => slots.some((s) => s.state === 'running'),
      }),
    )
    for (let index = 0; index < slotCount; index++) {
      const slot = this.disposables.add(
        new HostSlot({
          index,
          clock: this.clock,
          log: this.log,
          backoff: this.backoff,
          graceMs,
          startTimeoutMs: this.startTimeoutMs,
          retiring: this.retiring,
          spawns: this.spawns,
          standbys: this.standbyPool,
          closeHostConnection: (reason) => close(reason, index),
          isAnotherSlotRunning: () => slots.some((s) => s.index !== index && s.state === 'running'),
        }),
      )
      this.disposables.add(slot.onDidChange((e) => this.didChange.fire(e)))
      slots.push(slot)
    }
    this.slots = slots
    this.disposables.add(this.standbyPool.onDidChange((e) => this.emit(e)))
    this.disposables.add(
      this.standbyPool.onDidBecomeReady((standby) => {
        // Offered to each slot in turn until one takes it (a slot waiting out a backoff, or one
        // whose cold replacement is still starting).
        for (const slot of this.slots) {
          if (!this.standbyPool.has(standby.spawnId)) return
          slot.failover.onStandbyReady(standby)
        }
      }),
    )
  }

  /** Each new host process, active or standby, e.g. to attach its `connection` (port transport). */
  get onDidSpawn(): Listenable<HostProcess> {
    return this.spawns.onDidSpawn
  }

  /** How many pool slots (active hosts) it supervises. */
  get slotCount(): number {
    return this.slots.length
  }

  /** Slot 0's state. */
  get state(): SupervisorState {
    return this.slots[0]!.state
  }

  stateOf(slot: number): SupervisorState {
    return this.slotAt(slot).state
  }

  /** Slot 0's host pid. */
  get hostPid(): number | null {
    return this.slots[0]!.active.pid
  }

  hostPidOf(slot: number): number | null {
    return this.slotAt(slot).active.pid
  }

  /** Replacements of active hosts in every slot since the launcher started, promotions included (only grows). */
  get restarts(): number {
    return this.slots.reduce((n, s) => n + s.failover.restarts, 0)
  }

  /** Replacements of `slot`'s active host, promotions included (only grows). */
  restartsOf(slot: number): number {
    return this.slotAt(slot).failover.restarts
  }

  /** Standbys promoted to active, in every slot (only grows). */
  get failovers(): number {
    return this.slots.reduce((n, s) => n + s.failover.failovers, 0)
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
   * a second registration of an active host's own spawn never replaces it, nor does a host we
   * dropped (lost, stopping, beaten by a standby) whose `register` was still on its way; a slot's
   * spawn takes that slot's pipe; anything else takes slot 0's (docs/protocol.md#register).
   */
  admit(registration: HostRegistration): void {
    const { spawnId } = registration
    if (this.isDisposed || this.isDroppedSpawn(spawnId))
      return registration.refuse('a host this launcher dropped')
    if (this.standbyPool.admit(registration)) return
    const slot =
      this.slots.find((s) => spawnId !== undefined && s.active.spawnId === spawnId) ?? this.slots[0]!
    if (slot.active.admit(registration, this.clock.now(), slot.index)) slot.markRunning()
  }

  /**
   * Why no host started, once the supervisor gave up or while it still tries (`START_TIMEOUT`
   * asked by the launcher): the entry, the last exit and the last lines of its stderr. The first
   * slot without a running host speaks for the pool.
   */
  startError(timeoutMs?: number): Promise<HostStartError> {
    const slot = this.slots.find((s) => s.state !== 'running') ?? this.slots[0]!
    return slot.active.startError(timeoutMs)
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
   * that is neither an active host's nor a standby's in the pool (a host lost, stopped, or a
   * starting replacement a standby beat). Its `register`, should one still arrive, even after its
   * exit was seen (Node does not order a child's exit against its unread socket data), is refused,
   * so it never takes a pipe back.
   */
  isDroppedSpawn(spawnId: string | undefined): boolean {
    if (!this.spawns.isIssued(spawnId)) return false
    return !this.slots.some((s) => s.active.spawnId === spawnId) && !this.standbyPool.has(spawnId)
  }

  /**
   * The spawn id (env HOSTPIPE_SPAWN_ID, echoed as `spawn_id` in `register`) of slot 0's host
   * process now, or undefined. A registration without it is not ours to signal.
   */
  get spawnId(): string | undefined {
    return this.slots[0]!.active.spawnId
  }

  spawnIdOf(slot: number): string | undefined {
    return this.slotAt(slot).active.spawnId
  }

  /**
   * Starts every slot's host unless one is up or coming: clears `stopped`/`gave-up` (and their
   * crash history), cuts a backoff wait short. Returns false when every slot's host was already
   * running or starting.
   */
  startHost(): boolean {
    if (this.isDisposed) return false
    let isReset = false
    const resetPool = (): void => {
      if (isReset) return
      isReset = true
      this.backoff.reset()
      this.standbyPool.resume()
    }
    let started = false
    for (const slot of this.slots) if (slot.start(resetPool)) started = true
    return started
  }

  /** `slot`'s host registered: it is running (and its stable-run clock starts); standbys follow. */
  markRunning(slot = 0): void {
    this.slotAt(slot).markRunning()
  }

  /**
   * SIGKILLs `slot`'s host. A serving host is lost at once (as `loseHost`: a standby promoted or
   * a spawn); a starting one's exit counts as a start failure. Returns false when there is no
   * host process to kill (or no such slot).
   */
  killHost(slot = 0): boolean {
    const s = this.slots[slot]
    if (!s || this.isDisposed) return false
    return s.kill()
  }

  /**
   * `slot`'s serving host is lost while its process may live on (docs/protocol.md#liveness): it
   * went unresponsive, its connection (or IPC channel) is gone, or kill-host. It gets SIGKILL and
   * retires (its exit is awaited, not acted on), and it is replaced at once: the one path every
   * loss of a serving host goes through, its exit included. Only for a process this supervisor
   * spawned (the caller matches `spawnIdOf(slot)`); once per host. Returns false when there is
   * nothing to do (no running host, stopping, or already lost).
   */
  loseHost(reason: HostLossReason, detail: string, slot = 0): boolean {
    const s = this.slotAt(slot)
    return !this.isDisposed && s.lose(reason, detail)
  }

  /**
   * Stops every slot's host and keeps them down: closes their connections, SIGTERM, SIGKILL after
   * the grace period. Resolves once they have exited (state `stopped`).
   */
  stopHost(): Promise<void> {
    if (this.isDisposed) return Promise.resolve()
    return Promise.all(this.slots.map((s) => s.stop())).then(() => undefined)
  }

  /**
   * Terminates every host (SIGTERM, then SIGKILL) and resolves once they exited: no orphans. Then
   * its timers and listeners are gone too.
   */
  dispose(): Promise<void> {
    if (this.isDisposed) return Promise.all(this.slots.map((s) => s.whenDown())).then(() => undefined)
    this.isDisposed = true
    this.standbyPool.close()
    const downs = this.slots.map((s) => s.stopForGood())
    this.standbyPool.retireAll()
    return Promise.all([...downs, this.retiring.whenRetired()])
      .finally(() => this.disposables.dispose())
      .then(() => undefined)
  }

  // ---------------------------------------------------------------------------------------------

  private slotAt(slot: number): HostSlot {
    const s = this.slots[slot]
    if (!s) throw new RangeError(`no pool slot ${slot} (slots 0 to ${this.slots.length - 1})`)
    return s
  }

  /** Routes an exit by the handle's role: the pool's, awaited (retiring), or a slot's active host's. */
  private onExit(handle: HostHandle, info: HostExitInfo): void {
    switch (handle.role) {
      case 'standby':
        return this.standbyPool.handleExit(handle, info)
      case 'retiring':
        if (this.retiring.release(handle.process))
          this.log.info(`[supervisor] retired host pid ${handle.pid ?? '?'} exited`)
        return
      case 'active':
        this.slots.find((s) => s.active.is(handle.process))?.handleExit(info)
    }
  }

  private emit(e: SupervisorEvent): void {
    this.didChange.fire(e)
  }
}
