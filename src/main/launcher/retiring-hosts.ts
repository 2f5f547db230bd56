import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import { TimerSlot } from '../base/timer-slot'
import type { HostProcess } from './host-spawner'

export interface RetiringHostsOptions {
  clock: Clock
  /** How long a retiring host may take to exit after SIGTERM, then after SIGKILL (ms). */
  graceMs: number
  /** Sends SIGKILL to a retiring host still there after the grace period; must not throw. */
  kill: (host: HostProcess) => void
}

/**
 * Hosts lost, replaced or being stopped whose exit is still awaited (no orphans): the supervisor
 * adds a host here when it is no longer the active one, and hands each exit to `release` first, so
 * an old host's late exit is never taken for a loss of its successor. Hosts still here `graceMs`
 * after they were asked to go get SIGKILL; `graceMs` after that, waiting for them stops.
 */
export class RetiringHosts implements Disposable {
  private readonly hosts = new Set<HostProcess>()
  private waiters: Array<() => void> = []
  /** SIGKILL for retiring hosts still there `graceMs` after SIGTERM, then stop waiting for them. */
  private readonly killTimer: TimerSlot

  constructor(private readonly opts: RetiringHostsOptions) {
    this.killTimer = new TimerSlot(opts.clock)
  }

  add(host: HostProcess): void {
    this.hosts.add(host)
  }

  /**
   * A host exited: true when it was retiring (it is then forgotten, and the waiters resolve once
   * none is left), false when it is not ours to ignore.
   */
  release(host: HostProcess): boolean {
    if (!this.hosts.delete(host)) return false
    if (this.hosts.size === 0) this.resolveWaiters()
    return true
  }

  /** Arms the SIGKILL (then give-up) timer unless nothing retires or it is already armed. */
  armKill(): void {
    if (this.hosts.size === 0 || this.killTimer.isArmed) return
    this.killTimer.set(() => {
      for (const host of this.hosts) this.opts.kill(host)
      // A process that survives SIGKILL is beyond our reach; do not hang the caller on it.
      this.killTimer.set(() => this.resolveWaiters(), this.opts.graceMs)
    }, this.opts.graceMs)
  }

  /** Resolves once every retiring host exited (or was given up on after SIGKILL). */
  whenRetired(): Promise<void> {
    if (this.hosts.size === 0) return Promise.resolve()
    this.armKill()
    return new Promise<void>((resolve) => this.waiters.push(resolve))
  }

  dispose(): void {
    this.killTimer.dispose()
  }

  private resolveWaiters(): void {
    this.killTimer.clear()
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }
}
