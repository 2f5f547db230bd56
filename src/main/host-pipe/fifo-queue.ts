/**
 * An array-backed FIFO with O(1) amortised shift (a head index instead of `Array#shift`, which
 * is O(n) once the queue grows past V8's fast path).
 */
export class FifoQueue<T> {
  private items: (T | undefined)[] = []
  private head = 0

  push(item: T): void {
    this.items.push(item)
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head]
    this.items[this.head++] = undefined
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }

  /** Removes every item matching `pred`, keeping order; returns the removed ones. */
  removeWhere(pred: (item: T) => boolean): T[] {
    const kept: T[] = []
    const removed: T[] = []
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T
      ;(pred(item) ? removed : kept).push(item)
    }
    this.items = kept
    this.head = 0
    return removed
  }

  /** Empties the queue, returning its items in order. */
  takeAll(): T[] {
    const all = this.items.slice(this.head) as T[]
    this.items = []
    this.head = 0
    return all
  }
}
