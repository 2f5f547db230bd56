import type { Clock } from './clock'
import type { Disposable } from './disposable'
import { TimerSlot } from './timer-slot'

/** The longest wait a timer takes (Node's `setTimeout`, like browsers', holds 32 bits). */
const MAX_TIMER_MS = 2 ** 31 - 1

/** One timeout length's items, oldest first. */
export interface TimeoutList<T> {
  head: T | undefined
  tail: T | undefined
}

/** What `TimeoutLists` keeps on an item: its list and neighbours live on the item itself. */
export interface TimedItem<T> {
  /** Its timeout length: items of one length time out in the order they were added. */
  readonly timeoutMs: number
  /** When it times out, on the lists' clock. */
  readonly deadline: number
  timedIn: TimeoutList<T> | undefined
  prevTimed: T | undefined
  nextTimed: T | undefined
}

/**
 * Items that time out, on one timer. Items with the same `timeoutMs` time out in the order they
 * were added, so each length keeps a linked list threaded through the items themselves: adding
 * and removing cost O(1) and allocate nothing, and a removed item leaves nothing behind. Callers
 * use a handful of lengths, so finding the earliest head is a short walk.
 */
export class TimeoutLists<T extends TimedItem<T>> implements Disposable {
  private readonly lists = new Map<number, TimeoutList<T>>()
  private readonly timer: TimerSlot
  /** The moment the timer is armed for, if it is. */
  private armedFor: number | undefined

  /** @param onTimeout called for each item whose deadline passed, removed first, earliest first. */
  constructor(
    private readonly clock: Clock,
    private readonly onTimeout: (item: T) => void,
  ) {
    this.timer = new TimerSlot(clock)
  }

  add(item: T): void {
    let list = this.lists.get(item.timeoutMs)
    if (!list) this.lists.set(item.timeoutMs, (list = { head: undefined, tail: undefined }))
    item.timedIn = list
    item.prevTimed = list.tail
    item.nextTimed = undefined
    if (list.tail) list.tail.nextTimed = item
    else list.head = item
    list.tail = item
    if (this.armedFor === undefined || item.deadline < this.armedFor) this.arm()
  }

  /** No-op for an item not in the lists. The timer stays armed: it re-arms for what is left when it fires. */
  remove(item: T): void {
    const list = item.timedIn
    if (!list) return
    if (item.prevTimed) item.prevTimed.nextTimed = item.nextTimed
    else list.head = item.nextTimed
    if (item.nextTimed) item.nextTimed.prevTimed = item.prevTimed
    else list.tail = item.prevTimed
    item.prevTimed = item.nextTimed = item.timedIn = undefined
    // Lengths computed per item (time left on a budget) must not pile up empty lists.
    if (!list.head) this.lists.delete(item.timeoutMs)
  }

  dispose(): void {
    this.timer.dispose()
  }

  private arm(): void {
    let next: number | undefined
    for (const list of this.lists.values())
      if (list.head && (next === undefined || list.head.deadline < next)) next = list.head.deadline
    this.timer.clear()
    this.armedFor = next
    // Node runs a timer of more than 2^31 − 1 ms at once: a longer wait is taken in steps.
    if (next !== undefined)
      this.timer.set(this.fire, Math.min(MAX_TIMER_MS, Math.max(0, next - this.clock.now())))
  }

  private readonly fire = (): void => {
    this.armedFor = undefined
    const now = this.clock.now()
    for (;;) {
      let due: T | undefined
      for (const list of this.lists.values())
        if (list.head && list.head.deadline <= now && (!due || list.head.deadline < due.deadline))
          due = list.head
      if (!due) break
      this.remove(due)
      this.onTimeout(due)
    }
    this.arm()
  }
}
