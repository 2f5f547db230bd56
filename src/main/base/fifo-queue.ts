const INITIAL_CAPACITY = 16

/**
 * A FIFO on a ring buffer: O(1) push, shift and pop at both ends, for queues that churn (a writer's
 * queue, the commands in flight).
 *
 * Written for the garbage collector as much as for speed: the storage is reused instead of being
 * sliced or compacted, and every slot is cleared as its item leaves (also the old storage when it
 * grows). A stale reference left in a discarded array that has reached the old generation keeps
 * young objects alive through every scavenge until the next full GC, so a queue that copied its
 * storage would get every item it ever held promoted.
 */
export class FifoQueue<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(INITIAL_CAPACITY)
  private head = 0
  private count = 0

  get length(): number {
    return this.count
  }

  /** The oldest item, or undefined. */
  get first(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head]
  }

  /** The newest item, or undefined. */
  get last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.head + this.count - 1) & (this.items.length - 1)]
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow()
    this.items[(this.head + this.count) & (this.items.length - 1)] = item
    this.count++
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.count === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) & (this.items.length - 1)
    this.count--
    return item
  }

  /** Removes and returns the newest item. */
  pop(): T | undefined {
    if (this.count === 0) return undefined
    const i = (this.head + this.count - 1) & (this.items.length - 1)
    const item = this.items[i]
    this.items[i] = undefined
    this.count--
    return item
  }

  /** Calls `fn` on every item, oldest first. */
  forEach(fn: (item: T) => void): void {
    const mask = this.items.length - 1
    for (let i = 0; i < this.count; i++) fn(this.items[(this.head + i) & mask] as T)
  }

  /** Whether any item matches `pred` (oldest first, stops at the first match). */
  some(pred: (item: T) => boolean): boolean {
    const mask = this.items.length - 1
    for (let i = 0; i < this.count; i++) if (pred(this.items[(this.head + i) & mask] as T)) return true
    return false
  }

  /** Removes every item matching `pred`, keeping order; returns the removed ones (no copy if none). */
  removeWhere(pred: (item: T) => boolean): T[] {
    if (!this.some(pred)) return []
    const removed: T[] = []
    const kept: T[] = []
    for (const item of this.takeAll()) (pred(item) ? removed : kept).push(item)
    for (const item of kept) this.push(item)
    return removed
  }

  /** Empties the queue, returning its items in order. */
  takeAll(): T[] {
    const all: T[] = []
    while (this.count > 0) all.push(this.shift() as T)
    return all
  }

  /** Doubles the storage (capacity stays a power of two, so indexes wrap with a mask). */
  private grow(): void {
    const old = this.items
    const next = new Array<T | undefined>(old.length * 2)
    for (let i = 0; i < this.count; i++) {
      const j = (this.head + i) & (old.length - 1)
      next[i] = old[j]
      old[j] = undefined
    }
    this.items = next
    this.head = 0
  }
}
