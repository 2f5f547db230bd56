import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import { TimerSlot } from '../base/timer-slot'
import type { SagaLedger } from './saga-ledger'

/**
 * Watches the backlog (sagas started but not yet issued): if it cannot move for a whole saga
 * timeout (a connected host that stopped acking), `onStalled` is called so its sagas fail with
 * `saga timeout` too, and no saga waits forever. One timer for the whole backlog.
 */
export class SagaBacklogStallTimer implements Disposable {
  private readonly timer: TimerSlot
  /** When the backlog last moved (or started waiting). */
  private backlogMovedAt = 0
  private isDisposed = false

  /** `stallMs`: how long the backlog may stand still, in ms (the coordinator's saga timeout). */
  constructor(
    private readonly clock: Clock,
    private readonly ledger: SagaLedger,
    private readonly stallMs: number,
    private readonly onStalled: () => void,
  ) {
    this.timer = new TimerSlot(clock)
  }

  /** The backlog moved (a saga was issued) or started waiting, at `now` (clock ms). */
  noteMoved(now: number): void {
    this.backlogMovedAt = now
  }

  /** Arms the timer if sagas wait and it is not armed yet. */
  arm(): void {
    if (this.timer.isArmed || this.ledger.backlogSize === 0 || this.isDisposed) return
    const delay = Math.max(0, this.backlogMovedAt + this.stallMs - this.clock.now())
    this.timer.set(() => this.onTimer(), delay)
  }

  dispose(): void {
    this.isDisposed = true
    this.timer.dispose()
  }

  private onTimer(): void {
    if (this.ledger.backlogSize === 0) return
    if (this.clock.now() - this.backlogMovedAt >= this.stallMs) {
      this.onStalled()
      return
    }
    this.arm()
  }
}
