import type { Event } from '../../shared/protocol'
import { Emitter, type Listenable } from '../base/emitter'

/**
 * The launcher's event bus and its one version counter. HostPipe (through its `emit` and
 * `nextVersion` options) and the saga coordinator publish here; the IPC fanout, the diagnostics
 * feed and the embedding app listen. One instance per launcher, so `version` orders every event
 * it emits. Nobody listens here for their own events: components tell their owner directly.
 */
export class LauncherEvents {
  private version = 0
  private readonly emitter = new Emitter<Event>()

  /** Every event, synchronously and in subscription order. A throwing listener is reported, not propagated. */
  readonly onDidEmit: Listenable<Event> = this.emitter.event

  constructor() {
    // Callers pass these as bare functions (HostPipe options), so they must not lose `this`.
    this.emit = this.emit.bind(this)
    this.nextVersion = this.nextVersion.bind(this)
  }

  /** The next version number: 1, 2, 3, … */
  nextVersion(): number {
    return ++this.version
  }

  /** The last version handed out (0 before the first). */
  get currentVersion(): number {
    return this.version
  }

  /** Delivers `e` to every listener (see `onDidEmit`). */
  emit(e: Event): void {
    this.emitter.fire(e)
  }

  get listenerCount(): number {
    return this.emitter.listenerCount
  }

  /** Drops every listener. */
  dispose(): void {
    this.emitter.dispose()
  }
}
