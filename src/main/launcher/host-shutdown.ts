import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import type { Logger } from '../base/logger'
import { TimerSlot } from '../base/timer-slot'
import type { HostProcess } from './host-spawner'

/** Why the active host goes down on purpose: `stopHost` (may be restarted) or `dispose` (final). */
export type StopIntent = 'stop' | 'dispose'

export interface HostShutdownOptions {
  clock: Clock
  /** How long (ms) the host may take to exit after SIGTERM, and again after SIGKILL. */
  graceMs: number
  log: Logger
  /** Closes the launcher's connection to the host (the polite stop); may throw (logged). */
  closeHostConnection: (reason: string) => void
  /** Sends a signal and announces it (`signalled`); must not throw. */
  signal: (host: HostProcess, signal: 'SIGTERM' | 'SIGKILL') => void
  /** Whether `host` is still the supervisor's active host: once it is not, its stop is over. */
  isCurrent: (host: HostProcess) => boolean
}

/**
 * The active host's planned stop, for the supervisor that owns the state machine: the intent
 * (so its exit is expected, not a crash), the escalation (connection closed and SIGTERM at once,
 * SIGKILL `graceMs` later, give up `graceMs` after that) and the callers awaiting its exit.
 */
export class HostShutdown implements Disposable {
  /** SIGKILL for a host still there `graceMs` after SIGTERM. */
  private readonly killTimer: TimerSlot
  /** Gives up waiting for a host still there `graceMs` after SIGKILL. */
  private readonly giveUpTimer: TimerSlot
  /** Set while the host goes down on purpose: its exit is expected, not a crash. */
  private currentIntent: StopIntent | undefined
  private waiters: Array<() => void> = []

  constructor(private readonly opts: HostShutdownOptions) {
    this.killTimer = new TimerSlot(opts.clock)
    this.giveUpTimer = new TimerSlot(opts.clock)
  }

  /** The stop under way, or undefined when the active host is not being stopped. */
  get intent(): StopIntent | undefined {
    return this.currentIntent
  }

  /** Resolves at the next `resolveWaiters` (the active host's exit, or giving up on it). */
  whenExited(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve))
  }

  /** A stop begins: its exit will be expected; an escalation still armed is cancelled. */
  begin(intent: StopIntent): void {
    this.currentIntent = intent
    this.killTimer.clear()
    this.giveUpTimer.clear()
  }

  /** Asks `host` to go: connection closed and SIGTERM now, SIGKILL after the grace period. */
  signalDown(host: HostProcess): void {
    const { graceMs, log } = this.opts
    // Armed before any signal: a process may report its exit from inside `kill`.
    this.killTimer.set(() => {
      if (!this.opts.isCurrent(host)) return
      log.warn(`[supervisor] host pid ${host.pid ?? '?'} ignored SIGTERM for ${graceMs} ms: SIGKILL`)
      this.giveUpTimer.set(() => {
        // A process that survives SIGKILL is beyond our reach; do not hang the caller on it.
        if (!this.opts.isCurrent(host)) return
        log.error(`[supervisor] host pid ${host.pid ?? '?'} did not exit after SIGKILL`)
        this.resolveWaiters()
      }, graceMs)
      this.opts.signal(host, 'SIGKILL')
    }, graceMs)
    // The polite way first: a host exits when its connection closes. SIGTERM backs it up at once
    // (a wedged host never reads the EOF), SIGKILL after the grace period.
    try {
      this.opts.closeHostConnection('stop-host')
    } catch (err) {
      log.error(`[supervisor] closing the host connection threw: ${String(err)}`)
    }
    if (this.opts.isCurrent(host)) this.opts.signal(host, 'SIGTERM')
  }

  /** The active host exited: the escalation stops. Returns the stop's intent (then cleared). */
  finish(): StopIntent | undefined {
    this.killTimer.clear()
    this.giveUpTimer.clear()
    const intent = this.currentIntent
    this.currentIntent = undefined
    return intent
  }

  resolveWaiters(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }

  dispose(): void {
    this.killTimer.dispose()
    this.giveUpTimer.dispose()
  }
}
