import type { OutboundCommand } from './outbound-frame'

/**
 * Commands waiting for a host, oldest first. Kept sorted by call order so a frame that comes back
 * (its write failed, its writer went away) takes its old place instead of jumping the queue.
 * Capacity is enforced by HostPipe (`takeOverflow`), which has to fail the dropped frame's saga.
 */
export class PendingBuffer {
  private frames: OutboundCommand[] = []

  /** @param capacity frames kept before `takeOverflow` drops the oldest (HostPipeOptions.capacity). */
  constructor(readonly capacity: number) {}

  get length(): number {
    return this.frames.length
  }

  insert(frame: OutboundCommand): void {
    let i = this.frames.length
    // Almost always appends: only returning frames walk back.
    while (i > 0 && this.frames[i - 1]!.ordinal > frame.ordinal) i--
    this.frames.splice(i, 0, frame)
  }

  /**
   * Puts `frames` (in their order) ahead of everything buffered: commands retried after their host
   * was lost (docs/protocol.md#retry-on-host-loss), the one exception to call order.
   */
  insertFront(frames: readonly OutboundCommand[]): void {
    // Marked here, where they become retries: `takeOverflow` never counts nor drops them.
    for (const frame of frames) frame.isHostLossRetry = true
    this.frames.unshift(...frames)
  }

  shift(): OutboundCommand | undefined {
    return this.frames.shift()
  }

  /**
   * Removes and returns the oldest frames beyond `capacity` (drop-oldest: the newest stay).
   * Commands being retried after a host loss (docs/protocol.md#retry-on-host-loss; `isHostLossRetry`) do not count and
   * are never dropped: they were admitted once and were in flight, so there are at most
   * `maxInFlight` of them, and dropping them would turn a retry into the failure it exists to
   * avoid (a host lost with 1,000 commands in flight would otherwise lose 936 of them here).
   */
  takeOverflow(): OutboundCommand[] {
    if (this.frames.length <= this.capacity) return []
    let fresh = 0
    for (const f of this.frames) if (!f.isHostLossRetry) fresh++
    let excess = fresh - this.capacity
    if (excess <= 0) return []
    if (fresh === this.frames.length) return this.frames.splice(0, excess)
    const dropped: OutboundCommand[] = []
    this.frames = this.frames.filter((f) => {
      if (excess === 0 || f.isHostLossRetry) return true
      excess--
      dropped.push(f)
      return false
    })
    return dropped
  }

  some(pred: (frame: OutboundCommand) => boolean): boolean {
    return this.frames.some(pred)
  }

  removeWhere(pred: (frame: OutboundCommand) => boolean): OutboundCommand[] {
    // A host loss purges hundreds of sagas one by one, mostly with nothing buffered: no copy then.
    if (!this.frames.some(pred)) return []
    const removed: OutboundCommand[] = []
    this.frames = this.frames.filter((f) => (pred(f) ? (removed.push(f), false) : true))
    return removed
  }

  takeAll(): OutboundCommand[] {
    const all = this.frames
    this.frames = []
    return all
  }
}
