import { nonNegativeIntOption } from '../base/integer-option'

/** The first restart waits at most this long (scaled down by jitter). */
export const INITIAL_RESTART_DELAY_MS = 100
/** Restart delays double up to this cap. */
export const MAX_RESTART_DELAY_MS = 5_000
/** A host that ran this long before crashing restarts as quickly as a first crash. */
export const STABLE_RUN_MS = 30_000
/** Crashes are counted against `maxRestarts` within this sliding window. */
export const CRASH_WINDOW_MS = 60_000
export const DEFAULT_MAX_RESTARTS = 5
/** A delay is scaled by a random factor in (1 − JITTER_RATIO, 1]. */
export const JITTER_RATIO = 0.5

export interface RestartBackoffOptions {
  /** Automatic restarts allowed within `windowMs`; the crash after that gives up. Default 5. */
  maxRestarts?: number
  /** Default CRASH_WINDOW_MS (60 s). */
  windowMs?: number
  /** Default INITIAL_RESTART_DELAY_MS (100 ms). */
  initialDelayMs?: number
  /** Default MAX_RESTART_DELAY_MS (5 s). */
  maxDelayMs?: number
  /** Default STABLE_RUN_MS (30 s). */
  stableAfterMs?: number
  /** Returns a number in [0, 1). Default Math.random. */
  random?: () => number
  /** Default Date.now. */
  now?: () => number
}

export type RestartDecision =
  | {
      action: 'restart'
      delayMs: number
      /** 0 for the first crash after a stable run (or ever), then 1, 2, … */
      attempt: number
      crashesInWindow: number
    }
  | { action: 'give-up'; crashesInWindow: number }

/**
 * The supervisor's restart policy, as a pure state machine over injected time and randomness.
 *
 * Delay for consecutive crash `attempt` k: `min(maxDelay, initialDelay · 2^k)`, scaled by a
 * jitter factor in (0.5, 1] so two launchers restarting together spread out. The first restart
 * thus waits ≤ 100 ms, later ones double up to 5 s.
 *
 * Giving up follows the contract (ARCHITECTURE §4): the launcher gives up after `maxRestarts`
 * crashes within `windowMs`, so the crash that makes it N gives up (N−1 restarts happen before
 * it). `maxRestarts` 0 and 1 both give up on the first crash.
 */
export class RestartBackoff {
  readonly maxRestarts: number
  private readonly windowMs: number
  private readonly initialDelayMs: number
  private readonly maxDelayMs: number
  private readonly stableAfterMs: number
  private readonly random: () => number
  private readonly now: () => number

  /** Restarts granted, by time, oldest first; pruned to the window on each crash. */
  private restartTimes: number[] = []
  private attempt = 0
  private runningSince: number | undefined

  constructor(opts: RestartBackoffOptions = {}) {
    this.maxRestarts = nonNegativeIntOption('maxRestarts', opts.maxRestarts, DEFAULT_MAX_RESTARTS)
    this.windowMs = nonNegativeIntOption('windowMs', opts.windowMs, CRASH_WINDOW_MS)
    this.initialDelayMs = nonNegativeIntOption(
      'initialDelayMs',
      opts.initialDelayMs,
      INITIAL_RESTART_DELAY_MS,
    )
    this.maxDelayMs = nonNegativeIntOption('maxDelayMs', opts.maxDelayMs, MAX_RESTART_DELAY_MS)
    this.stableAfterMs = nonNegativeIntOption('stableAfterMs', opts.stableAfterMs, STABLE_RUN_MS)
    this.random = opts.random ?? Math.random
    this.now = opts.now ?? Date.now
  }

  /** The host is up (registered): a run from now on that lasts `stableAfterMs` resets the delay. */
  recordRunning(): void {
    this.runningSince = this.now()
  }

  /** The host exited unexpectedly: restart it after `delayMs`, or give up. */
  recordCrash(): RestartDecision {
    const now = this.now()
    if (this.runningSince !== undefined && now - this.runningSince >= this.stableAfterMs) this.attempt = 0
    this.runningSince = undefined
    this.restartTimes = this.restartTimes.filter((t) => now - t < this.windowMs)
    const crashesInWindow = this.restartTimes.length + 1
    if (crashesInWindow >= this.maxRestarts) return { action: 'give-up', crashesInWindow }
    this.restartTimes.push(now)
    const attempt = this.attempt++
    return { action: 'restart', delayMs: this.delayFor(attempt), attempt, crashesInWindow }
  }

  /** Forgets every crash: a user asked for a fresh start. */
  reset(): void {
    this.restartTimes = []
    this.attempt = 0
    this.runningSince = undefined
  }

  private delayFor(attempt: number): number {
    // 2^attempt overflows to Infinity long after the cap applies, so min() keeps it finite.
    const base = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** attempt)
    const factor = 1 - JITTER_RATIO * clampUnit(this.random())
    return Math.round(base * factor)
  }
}

function clampUnit(x: number): number {
  return Number.isFinite(x) ? Math.min(Math.max(x, 0), 1) : 0
}
