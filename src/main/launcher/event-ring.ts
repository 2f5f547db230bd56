import { checkInteger } from '../base/integer-option'
import type { DiagnosticsEvent } from '../../shared/diagnostics'

/** The last `capacity` diagnostics events, oldest first. Fixed memory whatever the event rate. */
export class EventRing {
  private readonly items: DiagnosticsEvent[] = []
  private start = 0
  private pushed = 0

  constructor(readonly capacity: number) {
    checkInteger('capacity', capacity, 1)
  }

  /** Appends, evicting the oldest when full. Returns the entry's sequence number (1, 2, …). */
  push(e: DiagnosticsEvent): number {
    if (this.items.length < this.capacity) this.items.push(e)
    else {
      this.items[this.start] = e
      this.start = (this.start + 1) % this.capacity
    }
    return ++this.pushed
  }

  /** Sequence number of the newest entry (0 when empty). */
  get newestSeq(): number {
    return this.pushed
  }

  /** Replaces the newest entry (used to fold a run of similar events into one line). */
  replaceNewest(e: DiagnosticsEvent): void {
    if (this.items.length === 0) return
    const i = (this.start + this.items.length - 1) % this.capacity
    this.items[i] = e
  }

  toArray(): DiagnosticsEvent[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)]
  }
}
