import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import type { Logger } from '../base/logger'
import { TimerSlot } from '../base/timer-slot'
import type { HostConnection } from '../ipc/host-registration'
import type { HostExitInfo, HostProcess } from './host-spawner'

/**
 * What a host process is to its supervisor: `active` (owns the pipe, or will once it registers),
 * `standby` (a warm spare, docs/launcher.md) or `retiring` (lost, replaced or being stopped: its
 * exit is awaited, never acted on).
 */
export type HostHandleRole = 'active' | 'standby' | 'retiring'

/** `starting` until it registers, then `registered`; `exited` once its process is gone. */
export type HostHandleState = 'starting' | 'registered' | 'exited'

/**
 * One host process, from its spawn to its exit: the supervisor's record of it and the only one.
 * Identified by the spawn id the supervisor gave it (env HOSTPIPE_SPAWN_ID, echoed as
 * `register.spawn_id`), never by the pid it claims.
 */
export class HostHandle implements Disposable {
  state: HostHandleState = 'starting'
  /** When it registered (clock time); undefined while starting. */
  registeredAt: number | undefined
  /** Its registered connection (a standby's is idle until it is promoted). */
  connection: HostConnection | undefined
  /** How its process ended, once it has. */
  exit: HostExitInfo | undefined
  /** Kills it if it does not register in time (see HostSupervisor's `startTimeoutMs`). */
  readonly startTimer: TimerSlot
  private readonly subscriptions: Disposable[] = []

  constructor(
    readonly spawnId: string,
    readonly process: HostProcess,
    public role: HostHandleRole,
    clock: Clock,
  ) {
    this.startTimer = new TimerSlot(clock)
  }

  get pid(): number | null {
    return this.process.pid ?? null
  }

  /** Ties a subscription (its exit, its connection's close) to this handle's life. */
  own(subscription: Disposable): void {
    this.subscriptions.push(subscription)
  }

  /** Registered with `connection` at `now`: its registration deadline no longer applies. */
  markRegistered(connection: HostConnection | undefined, now: number): void {
    this.state = 'registered'
    this.registeredAt = now
    this.connection = connection
    this.startTimer.clear()
  }

  /** Its process exited with `info`: nothing of it is left to time or to listen to. */
  markExited(info: HostExitInfo): void {
    this.state = 'exited'
    this.exit = info
    this.dispose()
  }

  dispose(): void {
    this.startTimer.dispose()
    for (const s of this.subscriptions.splice(0)) s.dispose()
  }
}

/** Sends `signal` to `host`; a failure (the process is beyond reach) is logged, never thrown. */
export function signalHost(host: HostProcess, signal: 'SIGTERM' | 'SIGKILL', log: Logger): void {
  try {
    host.kill(signal)
  } catch (err) {
    log.error(`[supervisor] ${signal} to host pid ${host.pid ?? '?'} failed: ${String(err)}`)
  }
}
