import type { Clock } from './clock'
import type { Disposable } from './disposable'

/**
 * At most one pending timer on an injected clock: `set` replaces the one armed, `clear` cancels
 * it, and `dispose` cancels it for good (`set` then does nothing). A component disposes its timers
 * by disposing their slots.
 */
export class TimerSlot implements Disposable {
  private handle: unknown
  private armed = false
  private isDisposed = false

  constructor(private readonly clock: Clock) {}

  get isArmed(): boolean {
    return this.armed
  }

  /** Arms the timer for `fn` in `ms` ms, cancelling the one armed before. */
  set(fn: () => void, ms: number): void {
    this.clear()
    if (this.isDisposed) return
    this.armed = true
    this.handle = this.clock.setTimeout(() => {
      this.armed = false
      this.handle = undefined
      fn()
    }, ms)
  }

  clear(): void {
    if (!this.armed) return
    this.armed = false
    this.clock.clearTimeout(this.handle)
    this.handle = undefined
  }

  dispose(): void {
    this.clear()
    this.isDisposed = true
  }
}
