/**
 * The demo host's window pool and its handlers for the AgentMux commands (`agentMuxCommands`). A
 * real host would open and close windows; this one keeps their labels, which is enough for the
 * launcher to see sagas complete.
 */
import type { CommandHandlersOf } from '../../lib/host'
import type { agentMuxCommands } from '../../shared/agentmux-commands'

export class WindowPool {
  private readonly windows = new Set<string>()
  private lastWindowNumber = 0

  /** Adds a window and returns its label (`w1`, `w2`, …). */
  add(): string {
    const label = `w${++this.lastWindowNumber}`
    this.windows.add(label)
    return label
  }

  /** Reaps the panes of a window. Idempotent: a window that is gone has no panes left. */
  reapPanes(_label: string): void {}

  /**
   * Drains the pool if `label` is its last window, and says whether it was. A window that is not
   * in the pool counts as last when the pool is empty (there is nothing else to keep it).
   */
  drainIfLast(label: string): boolean {
    const isLast = this.windows.size === 0 || (this.windows.size === 1 && this.windows.has(label))
    if (isLast) this.windows.clear()
    return isLast
  }

  get labels(): string[] {
    return [...this.windows]
  }
}

/** The AgentMux handlers over one pool, for `runHost({ commands: agentMuxCommands, handlers })`. */
export function windowPoolHandlers(pool: WindowPool): CommandHandlersOf<typeof agentMuxCommands> {
  return {
    spawn_pool_window: () => ({ label: pool.add() }),
    reap_panes: ({ label }) => {
      pool.reapPanes(label)
      return { label }
    },
    drain_pool_if_last: ({ label }) => ({ label, was_last: pool.drainIfLast(label) }),
  }
}
