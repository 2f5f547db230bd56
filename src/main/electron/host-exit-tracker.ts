import { systemClock, type Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import { OnceEmitter } from '../base/once-emitter'
import type { HostExitInfo } from '../launcher/host-spawner'

/** The fields of Electron's `child-process-gone` details this module reads. */
export interface ChildProcessGoneDetails {
  type: string
  reason: string
  exitCode: number
  serviceName?: string
  name?: string
}

/**
 * The default `serviceName` option: each host's `utilityProcess.fork` `serviceName` is it plus
 * `-<slot>-<n>` (see `hostServiceName`), and Electron reports that back as the gone event's
 * `name`, so a gone event names its host even with standbys running beside the active one
 * (docs/launcher.md).
 */
export const HOST_SERVICE_NAME = 'hostpipe-host'

/** The unique `serviceName` of the n-th host spawned by this app, for pool slot `slot`. */
export function hostServiceName(n: number, slot = 0, base = HOST_SERVICE_NAME): string {
  return `${base}-${slot}-${n}`
}

/** How long a clean `exit` waits for a `child-process-gone` that would say it was a crash. */
export const CLEAN_EXIT_GRACE_MS = 150
/** How long an exited host keeps absorbing a late `child-process-gone` meant for it. */
export const TOMBSTONE_MS = 2_000

type HostState =
  | { kind: 'running' }
  /** `exit` said code 0; a `child-process-gone` may still say otherwise (Electron #42283). */
  | { kind: 'exit-pending'; code: number; timer: unknown; exitOrder: number }
  /** Notified from `exit`; still waiting to swallow its own `child-process-gone`. */
  | { kind: 'tombstone'; timer: unknown; exitOrder: number }
  | { kind: 'done' }

/** One host process, as the tracker sees it. */
export class TrackedHost {
  /** @internal */ state: HostState = { kind: 'running' }
  /** @internal */ killSignal: string | null = null
  private readonly didFinish = new OnceEmitter<HostExitInfo>()

  constructor(
    private readonly tracker: HostExitTracker,
    readonly spawnOrder: number,
    /** Its own `serviceName`, when it was forked with one (`hostpipe-host-<slot>-<n>`). */
    readonly serviceName?: string,
  ) {}

  /** Remembers the signal we sent, so a 'killed' report can name it. */
  noteKill(signal: string): void {
    this.killSignal = signal
  }

  /** The utility process's own `exit` event (may fire late, twice, or with code 0 for a crash). */
  noteExitEvent(code: number): void {
    this.tracker.handleExitEvent(this, code)
  }

  /** Calls `fn` once with the final exit info; at once if the host has already gone. */
  onFinal(fn: (info: HostExitInfo) => void): Disposable {
    return this.didFinish.event(fn)
  }

  get hasExited(): boolean {
    return this.didFinish.hasFired
  }

  /** @internal */
  finish(info: HostExitInfo): void {
    this.didFinish.fire(info)
  }
}

/**
 * Turns Electron's two unreliable exit signals into exactly one notification per host.
 *
 * `app.on('child-process-gone')` is the authority on crashes, but it names no pid (only the
 * `serviceName` we forked with, as `name`) and does not fire for a clean exit; the utility
 * process's `exit` event can report code 0 for a crash, arrive before or after the gone event,
 * or fire twice. So: a gone event finishes the host it belongs to at once; an `exit` with a
 * non-zero code finishes it at once too; an `exit` with code 0 waits CLEAN_EXIT_GRACE_MS for a
 * gone event before calling it clean. A host finished by `exit` stays a tombstone for a while so
 * its late gone event is not blamed on the host that replaced it.
 */
export class HostExitTracker {
  private readonly hosts = new Set<TrackedHost>()
  private spawnCount = 0
  private exitCount = 0
  private readonly clock: Clock
  private readonly serviceName: string
  private readonly graceMs: number
  private readonly tombstoneMs: number

  constructor(opts: { clock?: Clock; serviceName?: string; graceMs?: number; tombstoneMs?: number } = {}) {
    this.clock = opts.clock ?? systemClock
    this.serviceName = opts.serviceName ?? HOST_SERVICE_NAME
    this.graceMs = opts.graceMs ?? CLEAN_EXIT_GRACE_MS
    this.tombstoneMs = opts.tombstoneMs ?? TOMBSTONE_MS
  }

  /** Starts tracking a host; `serviceName` is the one it was forked with, when unique to it. */
  track(serviceName?: string): TrackedHost {
    const host = new TrackedHost(this, ++this.spawnCount, serviceName)
    this.hosts.add(host)
    return host
  }

  /** Feed every `app.on('child-process-gone')` here. Returns true when it was one of our hosts. */
  handleChildProcessGone(details: ChildProcessGoneDetails): boolean {
    if (details.type !== 'Utility') return false
    const named = this.byServiceName(details.name ?? details.serviceName)
    if (!named && details.name !== this.serviceName && details.serviceName !== this.serviceName) return false
    // A unique service name is the host; the shared one is attributed by order (older spawners).
    const host = named ?? this.attribute()
    if (!host) return false
    const state = host.state
    if (state.kind === 'tombstone') {
      this.clock.clearTimeout(state.timer)
      this.forget(host)
      return true
    }
    if (state.kind === 'exit-pending') this.clock.clearTimeout(state.timer)
    this.forget(host)
    const killed = details.reason === 'killed'
    host.finish({
      code: killed ? null : details.exitCode,
      signal: killed ? (host.killSignal ?? 'SIGKILL') : null,
      crashed: details.reason !== 'clean-exit',
    })
    return true
  }

  /** @internal */
  handleExitEvent(host: TrackedHost, code: number): void {
    if (host.state.kind !== 'running') return
    const exitOrder = ++this.exitCount
    if (code === 0) {
      const timer = this.clock.setTimeout(() => {
        this.forget(host)
        host.finish({ code: 0, signal: null, crashed: false })
      }, this.graceMs)
      host.state = { kind: 'exit-pending', code, timer, exitOrder }
      return
    }
    const timer = this.clock.setTimeout(() => this.forget(host), this.tombstoneMs)
    host.state = { kind: 'tombstone', timer, exitOrder }
    host.finish({ code, signal: host.killSignal, crashed: true })
  }

  /**
   * Which host a gone event is about: hosts that already reported `exit` go first, in the order
   * they exited (a gone event follows its own exit); then a running host we asked to die; then
   * the oldest running host.
   */
  private attribute(): TrackedHost | undefined {
    let exited: TrackedHost | undefined
    let exitedOrder = Infinity
    let killed: TrackedHost | undefined
    let oldest: TrackedHost | undefined
    for (const host of this.hosts) {
      const s = host.state
      if ((s.kind === 'exit-pending' || s.kind === 'tombstone') && s.exitOrder < exitedOrder) {
        exited = host
        exitedOrder = s.exitOrder
      } else if (s.kind === 'running') {
        if (host.killSignal && (!killed || host.spawnOrder < killed.spawnOrder)) killed = host
        if (!oldest || host.spawnOrder < oldest.spawnOrder) oldest = host
      }
    }
    return exited ?? killed ?? oldest
  }

  private byServiceName(name: string | undefined): TrackedHost | undefined {
    if (name === undefined) return undefined
    for (const host of this.hosts) if (host.serviceName === name) return host
    return undefined
  }

  private forget(host: TrackedHost): void {
    host.state = { kind: 'done' }
    this.hosts.delete(host)
  }

  /** Clears every timer; hosts still tracked are not notified. */
  dispose(): void {
    for (const host of this.hosts) {
      const s = host.state
      if (s.kind === 'exit-pending' || s.kind === 'tombstone') this.clock.clearTimeout(s.timer)
      host.state = { kind: 'done' }
    }
    this.hosts.clear()
  }

  /** Hosts still tracked (running, awaiting a gone event, or tombstones); for tests and logs. */
  get size(): number {
    return this.hosts.size
  }
}
