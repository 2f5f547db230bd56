import type { Clock } from '../../src/main/host-pipe'

interface Timer {
  at: number
  fn: () => void
  id: number
}

/** A clock that moves only when told to: unit tests never sleep. */
export class ManualClock implements Clock {
  private time = 1_000_000
  private timers: Timer[] = []
  private nextId = 1

  now(): number {
    return this.time
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.time + ms, fn, id: this.nextId++ }
    this.timers.push(timer)
    return timer.id
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle)
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.time + ms
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) break
      this.timers = this.timers.filter((t) => t !== due)
      this.time = due.at
      due.fn()
    }
    this.time = target
  }

  get pendingTimers(): number {
    return this.timers.length
  }
}
