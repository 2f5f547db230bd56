import type { Listenable } from '../base/emitter'
import type { Register } from '../../shared/protocol'
import type { HostClient, StandbyClient } from './launcher-client'

/**
 * A registered host's connection, as the supervisor holds it on the host's handle. A standby's is
 * idle (given nothing) until `promote` hands its writer to the pipe.
 */
export interface HostConnection {
  /** The server's client id (for logs). */
  readonly clientId: number
  readonly isClosed: boolean
  /**
   * Hands this connection's writer to `slot`'s pipe (default 0; docs/protocol.md#register): a new
   * session, the buffer drains into it, and the host that had the pipe, if any, is replaced as by
   * a new registration. Returns false when the connection is closed or already holds a pipe.
   */
  promote(slot?: number): boolean
  /** Fires once when the connection closes, with why (not when the server is disposed). */
  readonly onDidClose: Listenable<string>
}

/** What a host's `register` becomes: it takes the pipe (`active`) or waits idle (`standby`). */
export type HostAdmission = 'active' | 'standby'

/**
 * A host's `register`, authenticated (token, register-first) and announced by the server before
 * it answers. A listener decides what it becomes, synchronously: `accept` answers `registered`
 * and returns its connection; `refuse` closes it. A registration no listener decides is accepted
 * as `active` (docs/protocol.md#register: a second host replaces the first).
 */
export interface HostRegistration {
  /** `register.spawn_id`: the supervisor's name for the spawn, when the launcher spawned it. */
  readonly spawnId: string | undefined
  /** `register.role`: `standby` for a host that asks to wait as a warm spare. */
  readonly role: 'standby' | undefined
  /** The pid it claims (for logs; never trusted for signals). */
  readonly pid: number
  /** `register.features`. */
  readonly features: readonly string[]
  /** Whether a listener decided already. */
  readonly isDecided: boolean
  /** Takes it as `as` (an active host into pool slot `slot`, default 0); throws once decided. */
  accept(as: HostAdmission, slot?: number): HostConnection
  /** Closes its connection without registering it; throws once decided. */
  refuse(reason: string): void
}

/** The server's HostRegistration: decided once, by `accept` or `refuse`. */
export class AnnouncedRegistration implements HostRegistration {
  readonly spawnId: string | undefined
  readonly role: 'standby' | undefined
  readonly pid: number
  readonly features: readonly string[]
  private decided = false

  constructor(
    msg: Register,
    private readonly onAccept: (as: HostAdmission, slot: number) => HostClient | StandbyClient,
    private readonly onRefuse: (reason: string) => void,
    private readonly promote: (standby: StandbyClient, slot: number) => boolean,
  ) {
    this.spawnId = msg.spawn_id
    this.role = msg.role === 'standby' ? 'standby' : undefined
    this.pid = msg.pid
    this.features = msg.features
  }

  get isDecided(): boolean {
    return this.decided
  }

  accept(as: HostAdmission, slot = 0): HostConnection {
    this.decide()
    const client = this.onAccept(as, slot)
    return {
      clientId: client.clientId,
      get isClosed() {
        return client.isClosed
      },
      promote: (into = 0) => client.role === 'standby' && this.promote(client, into),
      onDidClose: client.didClose.event,
    }
  }

  refuse(reason: string): void {
    this.decide()
    this.onRefuse(reason)
  }

  private decide(): void {
    if (this.decided) throw new Error(`host pid ${this.pid}: its registration was decided already`)
    this.decided = true
  }
}
