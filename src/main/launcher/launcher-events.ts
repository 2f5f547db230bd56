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
  private readonly launcherEmitter = new Emitter<Event>()
  private forwards: () => boolean = () => false

  /** Every event, synchronously and in subscription order. A throwing listener is reported, not propagated. */
  readonly onDidEmit: Listenable<Event> = this.emitter.event
  /**
   * The same, first, for the launcher's own parts (the diagnostics feed, the server's fanout):
   * unlike `onDidEmit`'s listeners, they do not make the bus observed.
   */
  readonly onDidEmitToLauncher: Listenable<Event> = this.launcherEmitter.event

  /**
   * Whether an event emitted now reaches anyone outside the launcher: an `onDidEmit` listener (the
   * app's), or whatever `forwardWhen` names (a tool, a host that asked for events). A call's
   * `saga_started` and `saga_completed` are made only then: nothing inside needs them.
   */
  get isObserved(): boolean {
    return this.emitter.hasListeners || this.forwards()
  }

  /** Tells the bus when the launcher's server forwards events (see `isObserved`). */
  forwardWhen(check: () => boolean): void {
    this.forwards = check
  }

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
    this.launcherEmitter.fire(e)
    this.emitter.fire(e)
  }

  /** `onDidEmit`'s listeners. */
  get listenerCount(): number {
    return this.emitter.listenerCount
  }

  /** Drops every listener. */
  dispose(): void {
    this.emitter.dispose()
    this.launcherEmitter.dispose()
  }
}
