import type { SeededRandom } from '../support/seeded-random'
import type { OracleSession } from './pipe-oracle'
import type { SpawnedHost } from './recording-spawner'

/** When a kill lands, by what the host was doing. */
export type KillMoment = 'registering' | 'draining' | 'streaming'

/** After its registration, a host counts as draining this long (the buffered frames are on the wire). */
export const DRAIN_WINDOW_MS = 10

export interface HostKillerOptions {
  random: SeededRandom
  /** How many SIGKILLs to deliver in all. */
  kills: number
  /** How long a host streams before a `streaming` kill, in ms. */
  streamMs: readonly [number, number]
  /** Presses start-host when a dead host has not been replaced this long (cuts a long backoff). */
  nudgeAfterMs: number
  startHost(): Promise<unknown>
  /** The host the launcher runs now (the latest spawned). */
  latest(): SpawnedHost | undefined
}

type Plan = KillMoment | 'none'

/**
 * SIGKILLs hosts at random moments, each host's moment drawn when it is spawned: while it
 * registers (a random delay after the spawn), right as the launcher hands it the pipe and drains
 * the buffer into it (inside the registration, on the next turn, or a few ms later), or after it
 * has streamed for a while. A kill is classified by what the host was really doing when it landed.
 */
export class HostKiller {
  readonly byMoment: Record<KillMoment, number> = { registering: 0, draining: 0, streaming: 0 }
  kills = 0
  nudges = 0
  private readonly plans = new Map<SpawnedHost, Plan>()
  private readonly registeredAt = new Map<SpawnedHost, number>()
  private readonly killed = new Set<SpawnedHost>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private watchdog: ReturnType<typeof setInterval> | undefined
  private lastDeathAt = 0
  private isArmed = false

  constructor(private readonly opts: HostKillerOptions) {}

  get isDone(): boolean {
    return this.kills >= this.opts.kills
  }

  /** All kills delivered, and a host spawned after the last one has registered. */
  get hasSurvivor(): boolean {
    const host = this.opts.latest()
    return this.isDone && host !== undefined && !this.killed.has(host) && this.registeredAt.has(host)
  }

  /** Starts planning kills, beginning with the host running now. */
  arm(): void {
    this.isArmed = true
    const host = this.opts.latest()
    if (host) {
      this.plans.set(host, 'streaming')
      this.registeredAt.set(host, performance.now())
      this.later(this.opts.random.int(...this.opts.streamMs), () => this.kill(host))
    }
    this.watchdog = setInterval(() => this.nudgeIfDown(), 20)
  }

  stop(): void {
    this.isArmed = false
    clearInterval(this.watchdog)
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  readonly onSpawned = (host: SpawnedHost): void => {
    if (!this.isArmed || this.isDone) {
      this.plans.set(host, 'none')
      return
    }
    const plan = this.opts.random.pick<KillMoment>([
      ['registering', 2],
      ['draining', 3],
      ['streaming', 5],
    ])
    this.plans.set(host, plan)
    // Node takes tens of ms to start and connect: a kill in this window lands before, during or
    // just after `register`.
    if (plan === 'registering') this.later(this.opts.random.int(0, 80), () => this.kill(host))
  }

  readonly onRegistered = (_session: OracleSession): void => {
    const host = this.opts.latest()
    if (!host || host.hasExited || this.registeredAt.has(host)) return
    this.registeredAt.set(host, performance.now())
    const plan = this.plans.get(host)
    if (plan === 'streaming') this.later(this.opts.random.int(...this.opts.streamMs), () => this.kill(host))
    if (plan !== 'draining') return
    // The drain's frames are queued on the socket now and flushed on the next tick.
    switch (this.opts.random.int(0, 2)) {
      case 0:
        return this.kill(host)
      case 1:
        return void setImmediate(() => this.kill(host))
      default:
        this.later(this.opts.random.int(1, 5), () => this.kill(host))
    }
  }

  private kill(host: SpawnedHost): void {
    if (!this.isArmed || host.hasExited || host.pid === undefined || this.isDone) return
    const registeredAt = this.registeredAt.get(host)
    const moment: KillMoment =
      registeredAt === undefined
        ? 'registering'
        : performance.now() - registeredAt <= DRAIN_WINDOW_MS
          ? 'draining'
          : 'streaming'
    try {
      process.kill(host.pid, 'SIGKILL')
    } catch {
      return
    }
    this.killed.add(host)
    this.kills++
    this.byMoment[moment]++
    this.lastDeathAt = performance.now()
  }

  /** The supervisor's backoff doubles to 5 s; an operator's start-host keeps the run moving. */
  private nudgeIfDown(): void {
    const host = this.opts.latest()
    if (host && !host.hasExited) return
    if (performance.now() - this.lastDeathAt < this.opts.nudgeAfterMs) return
    this.lastDeathAt = performance.now()
    this.nudges++
    void this.opts.startHost()
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t)
      fn()
    }, ms)
    this.timers.add(t)
  }
}
