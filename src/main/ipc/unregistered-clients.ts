import type { Clock } from '../base/clock'
import { TimerSlot } from '../base/timer-slot'
import type { FrameConnection } from './frame-connection'
import type { PendingClient } from './launcher-client'

export interface UnregisteredClientsOptions {
  clock: Clock
  /** Connections that may wait for their `register` at once; more are refused. */
  maxUnregistered: number
  /** How long (ms) a connection may stay unregistered. */
  registerTimeoutMs: number
}

/**
 * The launcher server's connections that have not sent `register` yet (register-first,
 * docs/protocol.md#errors): how many there may be, and each one's register timer. The server
 * decides what a timeout or a frame does; this holds the set and disposes the timers.
 */
export class UnregisteredClients {
  private readonly pending = new Set<PendingClient>()

  constructor(private readonly opts: UnregisteredClientsOptions) {}

  get size(): number {
    return this.pending.size
  }

  /** No room for another connection until one registers or closes. */
  get isFull(): boolean {
    return this.pending.size >= this.opts.maxUnregistered
  }

  get registerTimeoutMs(): number {
    return this.opts.registerTimeoutMs
  }

  /** Holds a new connection; `onTimeout` runs if it is still held after `registerTimeoutMs`. */
  add(conn: FrameConnection, onTimeout: (pending: PendingClient) => void): PendingClient {
    const pending: PendingClient = {
      role: 'unregistered',
      conn,
      registerTimer: new TimerSlot(this.opts.clock),
      isClosed: false,
    }
    this.pending.add(pending)
    pending.registerTimer.set(() => onTimeout(pending), this.opts.registerTimeoutMs)
    return pending
  }

  /** Forgets a connection (it registered or closed) and clears its timer. */
  delete(pending: PendingClient): void {
    pending.registerTimer.dispose()
    this.pending.delete(pending)
  }

  /** The connections held now (a copy: dropping them while iterating is safe). */
  members(): PendingClient[] {
    return [...this.pending]
  }
}
