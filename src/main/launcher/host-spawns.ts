import type { Clock } from '../base/clock'
import { DisposableStore, type Disposable } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import type { Logger } from '../base/logger'
import { HostHandle } from './host-handle'
import type { HostExitInfo, HostProcess, HostRole } from './host-spawner'

/** Starts one host process; see HostSupervisorOptions.spawn. */
export type SpawnHost = (spawnId: string, role?: HostRole, slot?: number) => HostProcess

/**
 * The host processes one supervisor spawns, active and standby alike: each spawn gets the next
 * spawn id (env HOSTPIPE_SPAWN_ID, echoed as `register.spawn_id`: ids are unique per supervisor)
 * and a HostHandle, and its exit is reported once, with its handle, for the supervisor to route by
 * the handle's role.
 */
export class HostSpawns implements Disposable {
  private count = 0
  private readonly disposables = new DisposableStore()
  private readonly didSpawn = this.disposables.add(new Emitter<HostProcess>())
  private readonly didFail = this.disposables.add(
    new Emitter<{ role: HostHandle['role']; slot: number | undefined; error: unknown }>(),
  )
  private readonly didExit = this.disposables.add(new Emitter<{ handle: HostHandle; info: HostExitInfo }>())

  /** Each new host process, e.g. to attach its `connection` (port transport). */
  readonly onDidSpawn: Listenable<HostProcess> = this.didSpawn.event
  /** A spawn threw (already logged): the role and slot it was for, and the error. */
  readonly onDidFail: Listenable<{ role: HostHandle['role']; slot: number | undefined; error: unknown }> =
    this.didFail.event
  /** A spawned process exited; its handle is marked exited and disposed first. */
  readonly onDidExit: Listenable<{ handle: HostHandle; info: HostExitInfo }> = this.didExit.event

  constructor(
    private readonly spawnHost: SpawnHost,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * Spawns one host with `role` (`standby` gets HOSTPIPE_ROLE=standby), for pool slot `slot`
   * (an active host's), and returns its handle; undefined when the spawn threw (`onDidFail`).
   */
  spawn(role: 'active' | 'standby', slot?: number): HostHandle | undefined {
    const spawnId = String(++this.count)
    let host: HostProcess
    try {
      host = this.spawnHost(spawnId, role === 'standby' ? 'standby' : undefined, slot)
    } catch (error) {
      this.log.error(
        `[supervisor] spawning ${role === 'standby' ? 'a standby' : 'the'} host failed: ${String(error)}`,
      )
      this.didFail.fire({ role, slot, error })
      return undefined
    }
    // Not in a DisposableStore: one per spawn would pile up; it is disposed at its exit.
    const handle = new HostHandle(spawnId, host, role, this.clock)
    handle.own(
      host.onExit((info) => {
        handle.markExited(info)
        this.didExit.fire({ handle, info })
      }),
    )
    this.didSpawn.fire(host)
    return handle
  }

  /** Whether `spawnId` is an id these spawns issued (a canonical decimal, at most the last one). */
  isIssued(spawnId: string | undefined): boolean {
    return spawnId !== undefined && /^[1-9][0-9]{0,15}$/.test(spawnId) && Number(spawnId) <= this.count
  }

  dispose(): void {
    this.disposables.dispose()
  }
}
