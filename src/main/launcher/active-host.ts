import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import { TimerSlot } from '../base/timer-slot'
import type { HostProcess } from './host-spawner'

/** What `ActiveHost.take` hands back: the process that was active and its spawn id. */
export interface TakenHost {
  readonly host: HostProcess
  readonly spawnId: string | undefined
}

/**
 * The supervisor's one active host: its process, the spawn id a registration is matched by
 * (HOSTPIPE_SPAWN_ID), whether it was already declared lost, whether it replaces a lost host,
 * and the timer that kills it if it does not register in time. Emptied when the host exits or
 * retires, so an old process is never mistaken for the active one.
 */
export class ActiveHost implements Disposable {
  private current: TakenHost | undefined
  /** The process was declared lost (and SIGKILLed): its exit is on its way. */
  private lost: HostProcess | undefined
  private replacing = false
  private readonly startTimer: TimerSlot

  constructor(clock: Clock) {
    this.startTimer = new TimerSlot(clock)
  }

  get process(): HostProcess | undefined {
    return this.current?.host
  }

  /** Its spawn id, or undefined (no host, or one spawned without an id). */
  get spawnId(): string | undefined {
    return this.current?.spawnId
  }

  get pid(): number | null {
    return this.current?.host.pid ?? null
  }

  /** It was spawned to replace a lost host (a standby that gets ready first may take over). */
  get isReplacing(): boolean {
    return this.replacing
  }

  /** Whether the active process was already declared lost. */
  get isLost(): boolean {
    return this.current !== undefined && this.lost === this.current.host
  }

  is(host: HostProcess): boolean {
    return this.current?.host === host
  }

  /**
   * `host` becomes the active host. With `startTimeoutMs` > 0, `onStartTimeout` runs unless it
   * registers (`registered`) within that many ms.
   */
  set(
    host: HostProcess,
    spawnId: string | undefined,
    opts: { isReplacing: boolean; startTimeoutMs?: number; onStartTimeout?: () => void },
  ): void {
    this.current = { host, spawnId }
    this.lost = undefined
    this.replacing = opts.isReplacing
    this.startTimer.clear()
    const { startTimeoutMs = 0, onStartTimeout } = opts
    if (startTimeoutMs > 0 && onStartTimeout) this.startTimer.set(onStartTimeout, startTimeoutMs)
  }

  /** It was declared lost; its exit, when it comes, is that loss and not a new one. */
  markLost(): void {
    this.lost = this.current?.host
  }

  /** It registered, or is going down anyway: its registration deadline no longer applies. */
  clearStartTimeout(): void {
    this.startTimer.clear()
  }

  /** Empties the slot and returns what was in it (undefined when empty). */
  take(): TakenHost | undefined {
    const taken = this.current
    this.current = undefined
    this.lost = undefined
    this.replacing = false
    this.startTimer.clear()
    return taken
  }

  dispose(): void {
    this.startTimer.dispose()
  }
}
