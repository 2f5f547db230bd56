/** Whole seconds left, rounded up (1 ms left is still "1"); '' when no deadline runs. */
export function countdownText(msLeft: number | null | undefined): string {
  if (msLeft === null || msLeft === undefined || !Number.isFinite(msLeft)) return ''
  return String(Math.max(0, Math.ceil(msLeft / 1000)))
}

/**
 * The disconnect budget, ticking locally between snapshots: the launcher only publishes when
 * something changes, and a pipe waiting for its host changes nothing while the budget runs out.
 * Times are the panel's own monotonic clock (performance.now), so the wall clocks of the page
 * and the launcher need not agree.
 */
export class Countdown {
  private deadline: number | null = null

  /** From a snapshot's `expiresInMs`, received at local time `now`. */
  set(expiresInMs: number | null, now: number): void {
    this.deadline = expiresInMs === null || !Number.isFinite(expiresInMs) ? null : now + expiresInMs
  }

  get isRunning(): boolean {
    return this.deadline !== null
  }

  /** Ms left at local time `now` (never negative), or null when no deadline runs. */
  msLeftAt(now: number): number | null {
    return this.deadline === null ? null : Math.max(0, this.deadline - now)
  }

  textAt(now: number): string {
    return countdownText(this.msLeftAt(now))
  }
}
