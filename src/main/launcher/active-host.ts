import type { Logger } from '../base/logger'
import type { HostRegistration } from '../ipc/host-registration'
import type { HostStartError } from '../../shared/host-start-error'
import type { HostHandle } from './host-handle'
import type { HostProcess } from './host-spawner'
import type { RetiringHosts } from './retiring-hosts'
import { StartFailures } from './start-failures'

export interface ActiveHostOptions {
  log: Logger
  /**
   * A host that has not registered this long (ms) after it became active is SIGKILLed, and that
   * counts as a start failure (docs/launcher.md#start-failures); 0 disables.
   */
  startTimeoutMs: number
  /** Where the active host goes when it is lost or dropped: its exit is then awaited. */
  retiring: RetiringHosts
}

/**
 * The supervisor's one active host and its start: its handle (process, spawn id, connection),
 * whether it was already declared lost, whether it replaces a lost host, its registration
 * deadline, and why hosts failed to start until one registers (StartFailures). Emptied when the
 * host exits or retires, so an old process is never mistaken for the active one.
 */
export class ActiveHost {
  private current: HostHandle | undefined
  /** The process was declared lost (and SIGKILLed): its exit is on its way. */
  private lost: HostProcess | undefined
  private replacing = false
  private readonly startFailures = new StartFailures()

  constructor(private readonly opts: ActiveHostOptions) {}

  get handle(): HostHandle | undefined {
    return this.current
  }

  get process(): HostProcess | undefined {
    return this.current?.process
  }

  /** Its spawn id, or undefined (no host). */
  get spawnId(): string | undefined {
    return this.current?.spawnId
  }

  get pid(): number | null {
    return this.current?.pid ?? null
  }

  /** It was spawned to replace a lost host (a standby that gets ready first may take over). */
  get isReplacing(): boolean {
    return this.replacing
  }

  /** Whether the active process was already declared lost. */
  get isLost(): boolean {
    return this.current !== undefined && this.lost === this.current.process
  }

  is(host: HostProcess): boolean {
    return this.current?.process === host
  }

  /**
   * `handle` becomes the active host. One that has not registered yet (not a promoted standby)
   * is SIGKILLed unless it registers within `startTimeoutMs`.
   */
  set(handle: HostHandle, isReplacing: boolean): void {
    this.current = handle
    handle.role = 'active'
    this.lost = undefined
    this.replacing = isReplacing
    const { startTimeoutMs, log } = this.opts
    if (handle.registeredAt !== undefined || startTimeoutMs <= 0) return
    handle.startTimer.set(() => {
      log.error(
        `[supervisor] host pid ${handle.pid ?? '?'} did not register within ${startTimeoutMs} ms: killing it`,
      )
      this.startFailures.noteNotRegistered(handle, startTimeoutMs)
      handle.process.kill('SIGKILL')
    }, startTimeoutMs)
  }

  /**
   * Decides a registration that is to take the pipe: a second registration of the active host's
   * own spawn (its connection still open) is refused and never replaces it; anything else is
   * accepted, and registers the active handle when it is that spawn. Returns whether it was.
   */
  admit(registration: HostRegistration, now: number, slot = 0): boolean {
    const active = this.current
    const isActiveSpawn = registration.spawnId !== undefined && active?.spawnId === registration.spawnId
    if (isActiveSpawn && active.connection && !active.connection.isClosed) {
      registration.refuse('a second registration of the active host')
      return false
    }
    const connection = registration.accept('active', slot)
    if (isActiveSpawn) active.markRegistered(connection, now)
    return true
  }

  /** A host took the pipe: the deadline no longer applies and earlier start failures explain nothing. */
  markRunning(): void {
    this.clearStartTimeout()
    this.startFailures.clear()
  }

  /** It is going down anyway: its registration deadline no longer applies. */
  clearStartTimeout(): void {
    this.current?.startTimer.clear()
  }

  /** It was declared lost; its exit, when it comes, is that loss and not a new one. */
  markLost(): void {
    this.lost = this.current?.process
  }

  /** A spawn of the active host threw: the start failure HostStartError reports, if nothing follows. */
  noteSpawnFailed(error: unknown): void {
    this.startFailures.noteSpawnFailed(error)
  }

  /** `handle`, taken out on an exit nobody asked for: if it never registered, it failed to start. */
  noteCrashed(handle: HostHandle): void {
    if (handle.registeredAt === undefined) this.startFailures.noteExited(handle)
  }

  /**
   * Why no host started (docs/launcher.md#start-failures): with `startTimeoutMs`, a START_TIMEOUT
   * naming the host still starting; otherwise the last failure. Waits for its stderr to end.
   */
  startError(startTimeoutMs?: number): Promise<HostStartError> {
    return this.startFailures.describe(this.current, startTimeoutMs)
  }

  /** Empties the slot and returns what was in it (undefined when empty). */
  take(): HostHandle | undefined {
    const taken = this.current
    this.current = undefined
    this.lost = undefined
    this.replacing = false
    taken?.startTimer.clear()
    return taken
  }

  /** Moves it to the retiring set: its exit is awaited, never taken for a new loss. */
  retire(): void {
    const taken = this.take()
    if (!taken) return
    taken.role = 'retiring'
    this.opts.retiring.add(taken.process)
  }
}
