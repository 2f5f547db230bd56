import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import { TimerSlot } from '../base/timer-slot'

/** What the timeouts hold of a saga: its timeout moment and its place in a list (intrusive). */
export interface TimedSaga {
  readonly timeoutMs: number
  /** When its timeout fires, on the coordinator's clock. */
  readonly deadline: number
  prevTimed: TimedSaga | undefined
  nextTimed: TimedSaga | undefined
}

/** One list per timeout length: sagas enter in call order, so each list is sorted by deadline. */
interface TimeoutList {
  head: TimedSaga | undefined
  tail: TimedSaga | undefined
}

/**
 * Open sagas' timeouts on one timer. Sagas with the same `timeoutMs` time out in the order they
 * started, so each length keeps a linked list threaded through the sagas themselves: tracking and
 * untracking cost O(1) and allocate nothing, and an ended saga leaves nothing behind. Apps use a
 * handful of lengths, so finding the earliest head is a short walk.
 */
export class SagaTimeouts<S extends TimedSaga> implements Disposable {
  private readonly lists = new Map<number, TimeoutList>()
  private readonly timer: TimerSlot
  /** The moment the timer is armed for, if it is. */
  private armedFor: number | undefined
  private count = 0

  constructor(
    private readonly clock: Clock,
    /** Called once per due saga, untracked first, earliest first. */
    private readonly onDue: (saga: S) => void,
  ) {
    this.timer = new TimerSlot(clock)
  }

  get size(): number {
    return this.count
  }

  track(saga: S): void {
    let list = this.lists.get(saga.timeoutMs)
    if (!list) this.lists.set(saga.timeoutMs, (list = { head: undefined, tail: undefined }))
    saga.prevTimed = list.tail
    saga.nextTimed = undefined
    if (list.tail) list.tail.nextTimed = saga
    else list.head = saga
    list.tail = saga
    this.count++
    if (this.armedFor === undefined || saga.deadline < this.armedFor) this.arm()
  }

  /** Stops timing a saga (it ended). The timer stays armed: it re-arms for what is left when it fires. */
  untrack(saga: S): void {
    const list = this.lists.get(saga.timeoutMs)
    if (!list || (saga.prevTimed === undefined && list.head !== saga)) return
    if (saga.prevTimed) saga.prevTimed.nextTimed = saga.nextTimed
    else list.head = saga.nextTimed
    if (saga.nextTimed) saga.nextTimed.prevTimed = saga.prevTimed
    else list.tail = saga.prevTimed
    saga.prevTimed = saga.nextTimed = undefined
    this.count--
    // Lengths an app computes per call (time left on a budget) must not pile up empty lists.
    if (!list.head) this.lists.delete(saga.timeoutMs)
  }

  dispose(): void {
    this.timer.dispose()
    this.lists.clear()
    this.count = 0
  }

  private arm(): void {
    let next: number | undefined
    for (const list of this.lists.values())
      if (list.head && (next === undefined || list.head.deadline < next)) next = list.head.deadline
    this.timer.clear()
    this.armedFor = next
    if (next !== undefined) this.timer.set(this.fire, Math.max(0, next - this.clock.now()))
  }

  private readonly fire = (): void => {
    this.armedFor = undefined
    const now = this.clock.now()
    for (;;) {
      let due: S | undefined
      for (const list of this.lists.values())
        if (list.head && list.head.deadline <= now && (!due || list.head.deadline < due.deadline))
          due = list.head as S
      if (!due) break
      this.untrack(due)
      this.onDue(due)
    }
    this.arm()
  }
}
