import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import { TimerSlot } from '../base/timer-slot'

/**
 * The disconnect budget (HostPipe behaviour 4, docs/host-pipe.md#guarantees): one deadline at a time, `timeoutMs` from when it starts.
 * Starting it while it runs changes nothing, so a flapping host cannot push it back; only `clear`
 * (a completed drain) ends it early.
 *
 * Expiry is active: the seed checked the budget lazily, on the next send, which left sagas hanging
 * while nothing was sent. Here a timer fires `onExpire` when the budget runs out.
 */
export class ExpiryDeadline implements Disposable {
  private deadlineAt: number | null = null
  private readonly timer: TimerSlot
  private isDisposed = false

  constructor(
    private readonly clock: Clock,
    readonly timeoutMs: number,
    private readonly onExpire: () => void,
  ) {
    this.timer = new TimerSlot(clock)
  }

  /** When it fires, in the clock's time base; null while none runs. */
  get at(): number | null {
    return this.deadlineAt
  }

  /** Starts the deadline unless one runs (or this was disposed). */
  start(): void {
    if (this.deadlineAt !== null || this.isDisposed) return
    this.deadlineAt = this.clock.now() + this.timeoutMs
    this.timer.set(() => {
      this.deadlineAt = null
      this.onExpire()
    }, this.timeoutMs)
  }

  clear(): void {
    this.deadlineAt = null
    this.timer.clear()
  }

  dispose(): void {
    this.clear()
    this.isDisposed = true
  }
}
