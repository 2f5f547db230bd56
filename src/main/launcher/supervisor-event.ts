import { Emitter, type Listenable } from '../base/emitter'
import type { Disposable } from '../base/disposable'
import type { HostExitInfo } from './host-spawner'

/**
 * Why a serving host counts as lost while its process may still run (docs/protocol.md#liveness):
 * it went silent (`unresponsive`) or its connection or IPC channel is gone (`channel-gone`).
 */
export type HostLossReason = 'unresponsive' | 'channel-gone' | 'killed'

/** What happened, for logs and the diagnostics event ring. */
export type SupervisorEvent =
  | { type: 'spawned'; pid: number | null; restart: boolean }
  | { type: 'spawn-failed'; error: string }
  | { type: 'running'; pid: number | null }
  | { type: 'exited'; pid: number | null; info: HostExitInfo; expected: boolean }
  | { type: 'restart-scheduled'; delayMs: number; attempt: number }
  | { type: 'gave-up'; crashesInWindow: number }
  | { type: 'stopping'; pid: number | null }
  | { type: 'stopped' }
  | { type: 'signalled'; pid: number | null; signal: 'SIGTERM' | 'SIGKILL' }
  /**
   * A serving host is lost. `exit`: how its process ended, when that was seen first (otherwise
   * it comes later, with the host retiring).
   */
  | {
      type: 'lost'
      pid: number | null
      spawnId: string
      reason: HostLossReason
      detail: string
      exit?: HostExitInfo
    }
  /** A ready standby became the active host; the launcher hands it the pipe. */
  | { type: 'promoted'; pid: number | null; spawnId: string }
  | { type: 'standby-spawned'; pid: number | null; spawnId: string }
  | { type: 'standby-ready'; pid: number | null; spawnId: string }
  | { type: 'standby-exited'; pid: number | null; info: HostExitInfo; expected: boolean }
  /** Standby was turned off for this launcher (or paused until start-host after giving up). */
  | { type: 'standby-off'; reason: string }

/**
 * - `starting`: a host process was spawned and has not registered yet.
 * - `running`: the host registered (`markRunning`).
 * - `backoff`: the host crashed; a restart is scheduled.
 * - `stopping`: `stopHost`/`dispose` is bringing the host down.
 * - `stopped`: held down by `stopHost` (or disposed): nothing restarts it but `startHost`.
 * - `gave-up`: too many losses (docs/launcher.md); nothing restarts it but `startHost`.
 */
export type SupervisorState = 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'gave-up'

/**
 * The supervisor's state and the one place its events are published, shared by the parts that
 * move it (HostSupervisor, Failover): each transition is a `set` with the event that tells it.
 */
export class SupervisorStatus implements Disposable {
  private current: SupervisorState = 'stopped'
  private readonly didChange = new Emitter<SupervisorEvent>()

  /** What happened (state changes, spawns, exits, signals), synchronously. */
  readonly onDidChange: Listenable<SupervisorEvent> = this.didChange.event

  get state(): SupervisorState {
    return this.current
  }

  /** Moves to `state` and publishes `e`. */
  set(state: SupervisorState, e: SupervisorEvent): void {
    this.current = state
    this.didChange.fire(e)
  }

  /** Publishes `e` (no transition). */
  emit(e: SupervisorEvent): void {
    this.didChange.fire(e)
  }

  dispose(): void {
    this.didChange.dispose()
  }
}
