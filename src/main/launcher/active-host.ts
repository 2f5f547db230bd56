import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import { TimerSlot } from '../base/timer-slot'
import type { HostHandle } from './host-handle'
import type { HostProcess } from './host-spawner'

/**
 * The supervisor's one active host: its handle (process, spawn id, connection), whether it was
 * already declared lost, whether it replaces a lost host, and the timer that kills it if it does
 * not register in time. Emptied when the host exits or retires, so an old process is never
 * mistaken for the active one.
 */
export class ActiveHost implements Disposable {
  private current: HostHandle | undefined
  /** The process was declared lost (and SIGKILLed): its exit is on its way. */
  private lost: HostProcess | undefined
  private replacing = false
  private readonly startTimer: TimerSlot

  constructor(clock: Clock) {
    this.startTimer = new TimerSlot(clock)
  }

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
   * `handle` becomes the active host. With `startTimeoutMs` > 0, `onStartTimeout` runs unless it
   * registers (`clearStartTimeout`) within that many ms.
   */
  set(
    handle: HostHandle,
    opts: { isReplacing: boolean; startTimeoutMs?: number; onStartTimeout?: () => void },
  ): void {
    this.current = handle
    handle.role = 'active'
    this.lost = undefined
    this.replacing = opts.isReplacing
    this.startTimer.clear()
    const { startTimeoutMs = 0, onStartTimeout } = opts
    if (startTimeoutMs > 0 && onStartTimeout) this.startTimer.set(onStartTimeout, startTimeoutMs)
  }

  /** It was declared lost; its exit, when it comes, is that loss and not a new one. */
  markLost(): void {
    this.lost = this.current?.process
  }

  /** It registered, or is going down anyway: its registration deadline no longer applies. */
  clearStartTimeout(): void {
    this.startTimer.clear()
  }

  /** Empties the slot and returns what was in it (undefined when empty). */
  take(): HostHandle | undefined {
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
