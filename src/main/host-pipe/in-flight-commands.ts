import { FifoQueue } from '../base/fifo-queue'
import type { OutboundCommand } from './outbound-frame'

/**
 * Commands written to the current host and not yet acked, in write order. Two ways to be acked,
 * fixed per host (`reset`):
 * - cumulative (feature `ack`): an ack covers its seq and everything written before it, so the
 *   commands sit in a queue and an ack shifts its head;
 * - per call (feature `per_call_ack`): the host completes commands in any order and each ack
 *   names one, so they sit in a map by seq (insertion order is still write order), with the
 *   sagas they belong to counted so a saga's lookup costs O(1) instead of a walk.
 * Seqs run on across hosts, for the pipe's life: a seq names one write, never two.
 */
export class InFlightCommands {
  private readonly queue = new FifoQueue<OutboundCommand>()
  private readonly bySeq = new Map<number, OutboundCommand>()
  /** Per call: how many of each saga's commands are in `bySeq`. */
  private readonly sagaCounts = new Map<number, number>()
  private nextSeq = 1
  /** How the current host acks (see `reset`). */
  isPerCall = false

  get length(): number {
    return this.isPerCall ? this.bySeq.size : this.queue.length
  }

  /** A new host: how it acks. Only called while nothing is in flight (its predecessor's were taken). */
  reset(isPerCall: boolean): void {
    this.isPerCall = isPerCall
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
    if (!isTracked) return seq
    if (!this.isPerCall) {
      this.queue.push(frame)
      return seq
    }
    this.bySeq.set(seq, frame)
    if (frame.sagaId !== undefined)
      this.sagaCounts.set(frame.sagaId, (this.sagaCounts.get(frame.sagaId) ?? 0) + 1)
    return seq
  }

  /**
   * Cumulative: the host acked `seq`, so it and every command written before it are done.
   * Per call: only `seq` is done. Returns how many that untracked; 0 when `seq` is not in flight.
   */
  ack(seq: number): number {
    if (this.isPerCall) {
      const frame = this.bySeq.get(seq)
      if (!frame) return 0
      this.untrack(frame)
      return 1
    }
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
    if (this.isPerCall) {
      if (this.bySeq.get(frame.seq) !== frame) return false
      this.untrack(frame)
      return true
    }
    if (this.queue.last !== frame) return false
    this.queue.pop()
    return true
  }

  /** Marks the saga's commands settled: their acks still count, but they are never failed. */
  settleSaga(sagaId: number): void {
    if (this.isPerCall && !this.sagaCounts.has(sagaId)) return
    this.forEach((frame) => {
      if (frame.sagaId === sagaId) frame.settled = true
    })
  }

  /** Whether any of the saga's commands is in flight. */
  hasSaga(sagaId: number): boolean {
    if (this.isPerCall) return this.sagaCounts.has(sagaId)
    let found = false
    this.queue.forEach((frame) => {
      if (frame.sagaId === sagaId) found = true
    })
    return found
  }

  /** Untracks everything (the writer went away) and returns it, oldest first. */
  takeAll(): OutboundCommand[] {
    if (!this.isPerCall) return this.queue.takeAll()
    const all = [...this.bySeq.values()]
    this.bySeq.clear()
    this.sagaCounts.clear()
    return all
  }

  private forEach(fn: (frame: OutboundCommand) => void): void {
    if (this.isPerCall) this.bySeq.forEach(fn)
    else this.queue.forEach(fn)
  }

  private untrack(frame: OutboundCommand): void {
    this.bySeq.delete(frame.seq)
    const sagaId = frame.sagaId
    if (sagaId === undefined) return
    const n = this.sagaCounts.get(sagaId)!
    if (n === 1) this.sagaCounts.delete(sagaId)
    else this.sagaCounts.set(sagaId, n - 1)
  }
}
