import { FifoQueue } from '../base/fifo-queue'
import type { OutboundCommand } from './outbound-frame'

/**
 * Commands written to the current host and not yet acked, in write order: what a cumulative ack
 * walks. Their seqs are consecutive (assigned as each write starts, by the one writer loop, and
 * the set is emptied when that writer goes), so "is this seq in flight" is a range check.
 */
export class InFlightCommands {
  private readonly queue = new FifoQueue<OutboundCommand>()
  /** Seqs run on across hosts, for the pipe's life: a seq names one write, never two. */
  private nextSeq = 1

  get length(): number {
    return this.queue.length
  }

  /**
   * A command's write starts: gives it the next seq and counts the attempt, and tracks it when the
   * host acks (`isTracked`). Returns the seq.
   */
  beginWrite(frame: OutboundCommand, isTracked: boolean): number {
    const seq = this.nextSeq++
    frame.seq = seq
    frame.attempts++
    // In flight from the moment the write starts: on a socket the ack can beat the callback.
    if (isTracked) this.queue.push(frame)
    return seq
  }

  /**
   * The host acked `seq`: it and every command written before it are done (acks are cumulative,
   * in arrival order). Returns how many that untracked; 0 when `seq` is not in flight.
   */
  ackThrough(seq: number): number {
    const oldest = this.queue.first
    if (!oldest || seq < oldest.seq || seq > this.queue.last!.seq) return 0
    let acked = 0
    for (let frame = this.queue.first; frame && frame.seq <= seq; frame = this.queue.first) {
      this.queue.shift()
      acked++
    }
    return acked
  }

  /** Untracks `frame` if it is the newest (its write just failed). True when it was tracked. */
  removeNewest(frame: OutboundCommand): boolean {
    if (this.queue.last !== frame) return false
    this.queue.pop()
    return true
  }

  /** Marks the saga's commands settled: their acks still count, but they are never failed. */
  settleSaga(sagaId: number): void {
    this.queue.forEach((frame) => {
      if (frame.sagaId === sagaId) frame.settled = true
    })
  }

  /** Whether any of the saga's commands is in flight. */
  hasSaga(sagaId: number): boolean {
    let found = false
    this.queue.forEach((frame) => {
      if (frame.sagaId === sagaId) found = true
    })
    return found
  }

  /** Untracks everything (the writer went away) and returns it, oldest first. */
  takeAll(): OutboundCommand[] {
    return this.queue.takeAll()
  }
}
