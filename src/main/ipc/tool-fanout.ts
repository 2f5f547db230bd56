import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import type { Logger } from '../base/logger'
import { TimerSlot } from '../base/timer-slot'
import type { FrameConnection } from './frame-connection'

/** What the fan-out needs of a registered tool client. */
export interface FanoutTool {
  readonly conn: FrameConnection
  readonly clientId: number
}

/** One tool's feed: events sent and not yet taken, and the check that cuts a stalled one off. */
interface Feed {
  /** Events sent and not yet taken by the transport. */
  backlog: number
  /** Events the transport has taken so far (progress, as the stall check sees it). */
  taken: number
  /** Armed while the backlog is at the limit. */
  readonly stallCheck: TimerSlot
}

export interface ToolFanoutOptions {
  clock: Clock
  /** Events a tool may leave unread before it is watched for progress. */
  backlogLimit: number
  /** A tool at its backlog limit that takes no event for this long is reported stalled. */
  stallMs: number
  log: Logger
}

/**
 * Sends every launcher event to every registered tool (a CLI watching the pipe, the chaos test's
 * counter), and reports a tool that stopped reading through `onDidStall` so its owner can cut it
 * off.
 *
 * The backlog counts sends the transport has not taken yet. It is not judged at send time: the
 * launcher emits whole storms of events in one tick (a burst of thousands of sagas, a host gone
 * with a thousand commands in flight), and no transport takes any of them before the tick ends,
 * so a tool that reads perfectly well would be cut off. A tool at its limit is reported only when
 * it then takes nothing for `stallMs`; meanwhile the transport's own byte cap bounds memory.
 */
export class ToolFanout<T extends FanoutTool> implements Disposable {
  private readonly feeds = new Map<T, Feed>()
  private readonly didStall = new Emitter<T>()

  /** A tool at its backlog limit took nothing for `stallMs`. It stays in the fan-out until removed. */
  readonly onDidStall: Listenable<T> = this.didStall.event

  constructor(private readonly opts: ToolFanoutOptions) {}

  get size(): number {
    return this.feeds.size
  }

  /** The tools being fed, in the order they were added. */
  members(): T[] {
    return [...this.feeds.keys()]
  }

  add(tool: T): void {
    this.feeds.set(tool, { backlog: 0, taken: 0, stallCheck: new TimerSlot(this.opts.clock) })
  }

  /** Stops feeding `tool` and drops its stall check. Idempotent. */
  remove(tool: T): void {
    this.feeds.get(tool)?.stallCheck.dispose()
    this.feeds.delete(tool)
  }

  /** Sends one encoded event to every tool. */
  broadcast(line: string): void {
    for (const [tool, feed] of this.feeds) {
      feed.backlog++
      tool.conn.send(line).then(
        () => {
          feed.backlog--
          feed.taken++
        },
        // A failed send surfaces as the connection closing, which removes the tool.
        () => undefined,
      )
      if (feed.backlog >= this.opts.backlogLimit && !feed.stallCheck.isArmed) this.armStallCheck(tool, feed)
    }
  }

  dispose(): void {
    for (const tool of this.members()) this.remove(tool)
    this.didStall.dispose()
  }

  private armStallCheck(tool: T, feed: Feed): void {
    const takenWhenArmed = feed.taken
    feed.stallCheck.set(() => {
      if (this.feeds.get(tool) !== feed || feed.backlog < this.opts.backlogLimit) return
      if (feed.taken !== takenWhenArmed) return this.armStallCheck(tool, feed)
      this.opts.log.warn(
        `[ipc] tool client ${tool.clientId} took none of its ${feed.backlog} unread events ` +
          `in ${this.opts.stallMs} ms; cutting it off`,
      )
      this.didStall.fire(tool)
    }, this.opts.stallMs)
  }
}
