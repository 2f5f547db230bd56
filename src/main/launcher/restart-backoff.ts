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
/**
 * A host that ends this soon after registering (or before) failed to start (docs/launcher.md): a
 * crash loop, which backoff slows down. One lost later was serving, and is replaced at once.
 */
export const START_FAILURE_WINDOW_MS = 250

/**
 * `start-failure`: the host ended before registering or within START_FAILURE_WINDOW_MS of it (the
 * next spawn waits with backoff). `serving-loss`: a host that had been serving was lost (replaced
 * at once). Both count toward giving up.
 */
export type LossKind = 'start-failure' | 'serving-loss'

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
  /** Default START_FAILURE_WINDOW_MS (250 ms). */
  startFailureWindowMs?: number
  /**
   * Whether start failures count toward giving up. Default true; false for hosts that may sit
   * paused in a debugger (docs/launcher.md#debugging-a-host): they still wait with backoff.
   */
  countsStartFailures?: boolean
  /** Returns a number in [0, 1). Default Math.random. */
  random?: () => number
  /** Default Date.now. */
  now?: () => number
}

export type RestartDecision =
  | {
      action: 'restart'
      /** 0 after a serving loss; the backoff delay after a start failure. */
      delayMs: number
      kind: LossKind
      /** 0 for the first crash after a stable run (or ever), then 1, 2, … */
      attempt: number
      crashesInWindow: number
    }
  | { action: 'give-up'; crashesInWindow: number; kind: LossKind }

/**
 * The supervisor's restart policy (docs/launcher.md), as a pure state machine over injected time
 * and randomness. It tells a crash loop from a crash: only a start failure (a host
 * that ends before registering or within `startFailureWindowMs` of it) waits; a serving host that
 * is lost is replaced at once (delay 0), so a kill a second after the last one never waits behind
 * a doubled delay. Every loss of either kind counts toward giving up.
 *
 * Delay after a start failure for consecutive crash `attempt` k: `min(maxDelay, initialDelay · 2^k)`, scaled by a
 * jitter factor in (0.5, 1] so two launchers restarting together spread out. The first restart
 * thus waits ≤ 100 ms, later ones double up to 5 s.
 *
 * Giving up: the launcher gives up after `maxRestarts` crashes within `windowMs`, so the crash
 * that makes it N gives up (N−1 restarts happen before it). `maxRestarts` 0 and 1 both give up
 * on the first crash. Start failures also give up after `maxRestarts` in a row with no host
 * registering between them, whatever the window: a host killed every 15 s for not registering
 * would otherwise loop forever at 4 losses a minute.
 */
export class RestartBackoff {
  readonly maxRestarts: number
  private readonly windowMs: number
  private readonly initialDelayMs: number
  private readonly maxDelayMs: number
  private readonly stableAfterMs: number
  private readonly startFailureWindowMs: number
  private readonly countsStartFailures: boolean
  private readonly random: () => number
  private readonly now: () => number

  /** Restarts granted, by time, oldest first; pruned to the window on each crash. */
  private restartTimes: number[] = []
  private attempt = 0
  /**
   * When each pool slot's active host registered, by slot: one slot's loss must not make another
   * slot's serving host look as if it had never registered.
   */
  private readonly runningSince = new Map<number, number>()
  private startFailuresInARow = 0

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
    this.startFailureWindowMs = nonNegativeIntOption(
      'startFailureWindowMs',
      opts.startFailureWindowMs,
      START_FAILURE_WINDOW_MS,
    )
    this.countsStartFailures = opts.countsStartFailures ?? true
    this.random = opts.random ?? Math.random
    this.now = opts.now ?? Date.now
  }

  /** Start failures since a host last registered, whatever the window (see giving up above). */
  get startFailureRun(): number {
    return this.startFailuresInARow
  }

  /**
   * Pool slot `slot`'s active host (default slot 0's) is up: it registered at `since` (default
   * now; a promoted standby registered earlier). A run from then that lasts `stableAfterMs`
   * resets the delay.
   */
  recordRunning(since: number = this.now(), slot = 0): void {
    this.runningSince.set(slot, since)
    this.startFailuresInARow = 0
  }

  /** A host registered (a standby too): start failures are no longer in a row. */
  recordRegistered(): void {
    this.startFailuresInARow = 0
  }

  /**
   * Pool slot `slot`'s active host (default slot 0's) was lost (any exit or loss we did not ask
   * for): classified as a start failure or a serving loss by how long it had been registered, then
   * `recordLoss`.
   */
  recordCrash(slot = 0): RestartDecision {
    const now = this.now()
    const since = this.runningSince.get(slot)
    if (since !== undefined && now - since >= this.stableAfterMs) this.attempt = 0
    this.runningSince.delete(slot)
    const isStartFailure = since === undefined || now - since < this.startFailureWindowMs
    return this.recordLoss(isStartFailure ? 'start-failure' : 'serving-loss')
  }

  /**
   * A host of the given kind of loss (also a standby's): restart after `delayMs` (0 for a serving
   * loss), or give up when it is the `maxRestarts`-th loss within `windowMs`.
   */
  recordLoss(kind: LossKind): RestartDecision {
    const now = this.now()
    this.restartTimes = this.restartTimes.filter((t) => now - t < this.windowMs)
    if (kind === 'start-failure' && !this.countsStartFailures) {
      const attempt = this.attempt++
      const crashesInWindow = this.restartTimes.length
      return { action: 'restart', delayMs: this.delayFor(attempt), kind, attempt, crashesInWindow }
    }
    const crashesInWindow = this.restartTimes.length + 1
    this.startFailuresInARow = kind === 'start-failure' ? this.startFailuresInARow + 1 : 0
    if (crashesInWindow >= this.maxRestarts || this.startFailuresInARow >= this.maxRestarts)
      return { action: 'give-up', crashesInWindow, kind }
    this.restartTimes.push(now)
    if (kind === 'serving-loss') return { action: 'restart', delayMs: 0, kind, attempt: 0, crashesInWindow }
    const attempt = this.attempt++
    return { action: 'restart', delayMs: this.delayFor(attempt), kind, attempt, crashesInWindow }
  }

  /** Forgets every crash: a user asked for a fresh start. */
  reset(): void {
    this.restartTimes = []
    this.attempt = 0
    this.runningSince.clear()
    this.startFailuresInARow = 0
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
