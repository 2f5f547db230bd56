import { silentLogger, type Logger } from '../base/logger'
import type { Event } from '../../shared/protocol'

export type EventListener = (e: Event) => void

/**
 * The launcher's event bus and its one version counter. HostPipe (through its `emit` and
 * `nextVersion` options), the saga coordinator, the IPC fanout and the diagnostics feed all share
 * one instance, so `version` orders every event a launcher emits.
 */
export class LauncherEvents {
  private version = 0
  private readonly listeners = new Set<EventListener>()

  constructor(private readonly log: Logger = silentLogger) {
    // Callers pass these as bare functions (HostPipe options), so they must not lose `this`.
    this.emit = this.emit.bind(this)
    this.nextVersion = this.nextVersion.bind(this)
    this.subscribe = this.subscribe.bind(this)
  }

  /** The next version number: 1, 2, 3, … */
  nextVersion(): number {
    return ++this.version
  }

  /** The last version handed out (0 before the first). */
  get currentVersion(): number {
    return this.version
  }

  /**
   * Delivers `e` to every listener, synchronously and in subscription order. HostPipe emits from
   * inside its own state changes, so a throwing listener is logged, never propagated into it.
   */
  emit(e: Event): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(e)
      } catch (err) {
        this.log.error(`[launcher] event listener threw on ${e.event}: ${String(err)}`)
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(fn: EventListener): () => void {
    this.listeners.add(fn)
    return () => {
      this.listeners.delete(fn)
    }
  }

  get listenerCount(): number {
    return this.listeners.size
  }
}
