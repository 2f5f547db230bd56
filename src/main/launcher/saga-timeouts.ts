import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import { TimerSlot } from '../base/timer-slot'
import type { Saga } from './saga'
import { SagaDeadlineHeap } from './saga-deadline-heap'
import type { SagaLedger } from './saga-ledger'

/**
 * The issued sagas' timeouts on one timer, not one per saga: a burst issues thousands of sagas at
 * once. The timer is due for the earliest timeout among issued sagas (a `SagaDeadlineHeap`); a
 * saga that ends early leaves it to fire and re-arm. Re-armed earlier when a saga with a shorter
 * timeout is issued after it. What a due saga's timeout means is the owner's call: the timer
 * calls `onDue`, which ends or re-files the sagas `takeDue` yields, then calls `arm`.
 */
export class SagaTimeouts implements Disposable {
  private readonly timer: TimerSlot
  /** The issued sagas' timeout moments: one timer for sagas whose timeouts differ. */
  private readonly deadlines = new SagaDeadlineHeap()
  /** The timeout moment the timer is armed for. */
  private armedFor: number | undefined
  private isDisposed = false

  constructor(
    private readonly clock: Clock,
    private readonly ledger: SagaLedger,
    private readonly onDue: () => void,
  ) {
    this.timer = new TimerSlot(clock)
  }

  /** Tracks the timeout (`deadline`, clock ms) of a saga just issued and arms the timer for it. */
  track(sagaId: number, deadline: number): void {
    this.deadlines.push({ deadline, sagaId })
    this.deadlines.compact((e) => this.ledger.isIssued(e.sagaId), this.ledger.issuedCount)
    this.arm()
  }

  /** Arms the timer for the earliest timeout of a saga still issued, unless armed as early. */
  arm(): void {
    if (this.isDisposed) return
    const next = this.nextLiveDeadline()
    if (next === undefined) return
    if (this.timer.isArmed) {
      if (this.armedFor !== undefined && this.armedFor <= next) return
      this.timer.clear()
    }
    this.armedFor = next
    this.timer.set(
      () => {
        this.armedFor = undefined
        this.onDue()
      },
      Math.max(0, next - this.clock.now()),
    )
  }

  /**
   * The issued sagas whose timeout has passed, earliest first, each taken off the heap as it is
   * yielded: the caller may end sagas between two of them, and ended ones are skipped.
   */
  *takeDue(): Generator<Saga, void, undefined> {
    const now = this.clock.now()
    for (let top = this.deadlines.peek(); top && top.deadline <= now; top = this.deadlines.peek()) {
      this.deadlines.pop()
      const saga = this.ledger.getIssued(top.sagaId)
      if (!saga || saga.deadline !== top.deadline) continue
      yield saga
    }
  }

  dispose(): void {
    this.isDisposed = true
    this.timer.dispose()
    this.deadlines.clear()
  }

  /** The earliest timeout of a saga still issued; entries of sagas that ended are dropped. */
  private nextLiveDeadline(): number | undefined {
    for (let top = this.deadlines.peek(); top; top = this.deadlines.peek()) {
      if (this.ledger.getIssued(top.sagaId)?.deadline === top.deadline) return top.deadline
      this.deadlines.pop()
    }
    return undefined
  }
}
