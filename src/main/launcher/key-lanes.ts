import { FifoQueue } from '../base/fifo-queue'

// The lanes of keyed calls and the host each key maps to (docs/parallel-work.md#keys): apart from
// call-router.ts because a call without a key never comes here.

/** The calls of one key: the one running, then the rest in call order. Gone when idle. */
export interface Lane<C> {
  readonly key: string
  /** The slot its calls go to. */
  slot: number
  running: C | undefined
  readonly waiting: FifoQueue<C>
}

/** What the lanes need of a pool slot: whether its host is connected. */
interface LaneSlot {
  readonly pipe: { readonly isConnected: boolean }
}

/** Whether any slot's host is connected (none is: an outage). */
export function isAnyConnected(slots: readonly LaneSlot[]): boolean {
  for (const slot of slots) if (slot.pipe.isConnected) return true
  return false
}

/**
 * The open lanes, by key. A key maps to a slot by rendezvous hashing over the connected slots (all
 * of them when none is), as jest-worker's `computeWorkerKey`: a key keeps its slot while
 * membership is unchanged, and only the keys of a slot that leaves move.
 */
export class KeyLanes<C> {
  private readonly lanes = new Map<string, Lane<C>>()

  constructor(private readonly slots: readonly LaneSlot[]) {}

  /** The lane of `key`: the open one, or a new idle one on the slot the key maps to. */
  laneOf(key: string): Lane<C> {
    let lane = this.lanes.get(key)
    if (lane === undefined) {
      lane = { key, slot: this.slotForKey(key), running: undefined, waiting: new FifoQueue() }
      this.lanes.set(key, lane)
    }
    return lane
  }

  /**
   * Before a lane's call goes out: a lane whose host is gone moves to the slot its key maps to
   * among the connected ones (a lane moves only then, or while idle; its calls follow it).
   */
  follow(lane: Lane<C>): void {
    if (!this.slots[lane.slot]!.pipe.isConnected && isAnyConnected(this.slots))
      lane.slot = this.slotForKey(lane.key)
  }

  /** The lane's running call ended: `next` runs now, or without one the lane closes. */
  handOver(lane: Lane<C>, next: C | undefined): void {
    lane.running = next
    if (next === undefined) this.lanes.delete(lane.key)
  }

  /** Drops the calls `pred` accepts from every lane's waiting calls, keeping the others' order. */
  removeWaitingWhere(pred: (call: C) => boolean): void {
    for (const lane of this.lanes.values()) lane.waiting.removeWhere(pred)
  }

  private slotForKey(key: string): number {
    if (this.slots.length === 1) return 0
    const connectedOnly = isAnyConnected(this.slots)
    let best = 0
    let bestScore = -1
    for (let slot = 0; slot < this.slots.length; slot++) {
      if (connectedOnly && !this.slots[slot]!.pipe.isConnected) continue
      const score = rendezvousScore(key, slot)
      if (score > bestScore) {
        best = slot
        bestScore = score
      }
    }
    return best
  }
}

/** FNV-1a of the key and the slot: uniform enough to spread keys, stable across runs. */
function rendezvousScore(key: string, slot: number): number {
  let h = 0x811c9dc5 ^ slot
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 15
  h = Math.imul(h, 0x2c1b3c6d)
  h ^= h >>> 12
  return h >>> 0
}
