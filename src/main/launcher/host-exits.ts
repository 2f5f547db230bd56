import { DisposableStore, type Disposable } from '../base/disposable'
import type { Listenable } from '../base/emitter'
import type { HostConnection, HostRegistration } from '../ipc/host-registration'
import type { HostExitInfo, HostProcess } from './host-spawner'
import type { SupervisorEvent } from './supervisor-event'

/**
 * How long a call lost with its host may wait for that host's exit to be known, so its reason can
 * say how the host ended (ms). A host whose connection is lost is SIGKILLed at once, so its exit
 * normally follows within a millisecond; the bound only matters for a process that cannot be reaped.
 */
export const HOST_EXIT_WAIT_MS = 100

/** Hosts remembered at most; older ones are forgotten (their calls were decided long ago). */
const REMEMBERED_HOSTS = 16

/** `killed by SIGKILL`, `exit code 3`, or undefined for a clean exit. */
export function describeHostExit(exit: Pick<HostExitInfo, 'code' | 'signal'>): string | undefined {
  if (exit.signal) return `killed by ${exit.signal}`
  if (exit.code !== null && exit.code !== 0) return `exit code ${exit.code}`
  return undefined
}

interface TrackedExit {
  exit: HostExitInfo | undefined
  /** The launcher gave up on it (unresponsive, …) and killed it: its signal explains nothing. */
  isKilledByLauncher: boolean
  readonly subscriptions: DisposableStore
  readonly waiters: Array<(exit: HostExitInfo) => void>
}

/** How a host that is leaving ended: known (`killed by SIGKILL`), or known once the promise settles. */
export type HostExitDetail = string | Promise<string | undefined>

/**
 * How each host this launcher spawned ended, by spawn id, told to `noteHostLeaving` as its
 * connection closes (before the pipe fails its calls) or as its exit is seen first: what a call
 * lost with it says after the words that it may have run (docs/protocol.md#outcomes). The
 * connection usually closes before the exit is known; then the detail is a promise, settled at
 * the exit or after HOST_EXIT_WAIT_MS.
 */
export class HostExits implements Disposable {
  private readonly hosts = new Map<string, TrackedExit>()
  private readonly disposables = new DisposableStore()

  constructor(
    supervisorEvents: Listenable<SupervisorEvent>,
    private readonly noteHostLeaving: (how: HostExitDetail) => void,
  ) {
    this.disposables.add(
      supervisorEvents((e) => {
        // Lost for any other reason than its channel closing, the launcher kills it first.
        if (e.type === 'lost' && e.reason !== 'channel-gone' && e.spawnId !== undefined) {
          const tracked = this.hosts.get(e.spawnId)
          if (tracked) tracked.isKilledByLauncher = true
        }
        // Seen before its connection closed: its calls may be failed by the failover it starts.
        if (e.type === 'exited' && !e.expected) {
          const detail = describeHostExit(e.info)
          if (detail) this.noteHostLeaving(detail)
        }
      }),
    )
  }

  /** `registration`, whose connection, once accepted, tells `noteHostLeaving` as it closes. */
  watch(registration: HostRegistration): HostRegistration {
    const spawnId = registration.spawnId
    const tracked = spawnId === undefined ? undefined : this.hosts.get(spawnId)
    if (spawnId === undefined || !tracked) return registration
    return {
      spawnId,
      role: registration.role,
      pid: registration.pid,
      features: registration.features,
      get isDecided() {
        return registration.isDecided
      },
      accept: (as, slot): HostConnection => {
        const connection = registration.accept(as, slot)
        tracked.subscriptions.add(
          connection.onDidClose(() => {
            const how = this.exitDetail(spawnId)
            if (how !== undefined) this.noteHostLeaving(how)
          }),
        )
        return connection
      },
      refuse: (reason) => registration.refuse(reason),
    }
  }

  /** Follows `host`'s exit under `spawnId`; returns `host`. */
  track(spawnId: string, host: HostProcess): HostProcess {
    const waiters: TrackedExit['waiters'] = []
    const tracked: TrackedExit = {
      exit: undefined,
      isKilledByLauncher: false,
      waiters,
      subscriptions: new DisposableStore(),
    }
    tracked.subscriptions.add(
      host.onExit((exit) => {
        tracked.exit = exit
        for (const w of waiters.splice(0)) w(exit)
      }),
    )
    this.hosts.set(spawnId, tracked)
    if (this.hosts.size > REMEMBERED_HOSTS) {
      const [oldest, old] = this.hosts.entries().next().value!
      old.subscriptions.dispose()
      this.hosts.delete(oldest)
    }
    return host
  }

  /**
   * How the host spawned as `spawnId` ended (see describeHostExit) when known; else a promise of
   * it, settled at its exit or after `maxWaitMs` (then undefined). Undefined for a host not spawned
   * here, a clean exit, and a host the launcher killed itself (its signal explains nothing).
   */
  exitDetail(spawnId: string, maxWaitMs = HOST_EXIT_WAIT_MS): HostExitDetail | undefined {
    const tracked = this.hosts.get(spawnId)
    if (!tracked || tracked.isKilledByLauncher) return undefined
    if (tracked.exit) return describeHostExit(tracked.exit)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = tracked.waiters.indexOf(onExit)
        if (i !== -1) tracked.waiters.splice(i, 1)
        resolve(undefined)
      }, maxWaitMs)
      timer.unref?.()
      const onExit = (exit: HostExitInfo): void => {
        clearTimeout(timer)
        resolve(tracked.isKilledByLauncher ? undefined : describeHostExit(exit))
      }
      tracked.waiters.push(onExit)
    })
  }

  dispose(): void {
    this.disposables.dispose()
    for (const tracked of this.hosts.values()) tracked.subscriptions.dispose()
    this.hosts.clear()
  }
}
