/** One saga's timeout moment (coordinator clock) as the heap holds it. */
export interface SagaDeadlineEntry {
  readonly deadline: number
  readonly sagaId: number
}

/**
 * The issued sagas' timeout moments, earliest first, so one timer serves sagas with different
 * timeouts (a per-call `timeoutMs`, ARCHITECTURE §9). A binary min-heap with lazy deletion: a saga
 * that ends early leaves its entry until it surfaces; `compact` drops such entries when the heap
 * has grown past twice the sagas still open, so memory stays bounded by the open sagas.
 * Ties keep issue order (the saga id breaks them), as the single-timeout coordinator did.
 */
export class SagaDeadlineHeap {
  private entries: SagaDeadlineEntry[] = []

  get size(): number {
    return this.entries.length
  }

  push(entry: SagaDeadlineEntry): void {
    const a = this.entries
    a.push(entry)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!isBefore(a[i]!, a[parent]!)) break
      ;[a[i], a[parent]] = [a[parent]!, a[i]!]
      i = parent
    }
  }

  peek(): SagaDeadlineEntry | undefined {
    return this.entries[0]
  }

  pop(): SagaDeadlineEntry | undefined {
    const a = this.entries
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last) {
      a[0] = last
      this.siftDown(0)
    }
    return top
  }

  /** Keeps only the entries `isLive` accepts (when more than half are stale). */
  compact(isLive: (entry: SagaDeadlineEntry) => boolean, liveCount: number): void {
    if (this.entries.length <= 2 * liveCount + 64) return
    const kept = this.entries.filter(isLive)
    this.entries = []
    for (const entry of kept) this.push(entry)
  }

  clear(): void {
    this.entries = []
  }

  private siftDown(i: number): void {
    const a = this.entries
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let least = i
      if (left < a.length && isBefore(a[left]!, a[least]!)) least = left
      if (right < a.length && isBefore(a[right]!, a[least]!)) least = right
      if (least === i) return
      ;[a[i], a[least]] = [a[least]!, a[i]!]
      i = least
    }
  }
}

function isBefore(x: SagaDeadlineEntry, y: SagaDeadlineEntry): boolean {
  return x.deadline < y.deadline || (x.deadline === y.deadline && x.sagaId < y.sagaId)
}
