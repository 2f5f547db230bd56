import type { Register } from '../../shared/protocol'
import type { FrameConnection } from './frame-connection'
import type { StandbyClient } from './launcher-client'

/**
 * What becomes of a host's `register` (docs/protocol.md#register): `active` takes the pipe
 * (replacing the host that had it), `standby` waits registered and idle until `promoteStandby`,
 * `refuse` closes the connection.
 */
export type HostAdmission = 'active' | 'standby' | 'refuse'

/** Decides what a host's `register` becomes (see HostAdmission). */
export type AdmitHost = (register: Pick<Register, 'pid' | 'spawn_id' | 'role'>) => HostAdmission

/**
 * The launcher server's warm standby hosts (docs/launcher.md): which `register` becomes a standby,
 * the standbys registered and not promoted yet, and which one a promotion takes. The server owns
 * the connections' lifetimes and the events; this holds only the set.
 */
export class StandbyHosts {
  private readonly standbys = new Set<StandbyClient>()

  /** `admitHost` defaults to every host `active` (a launcher without standbys). */
  constructor(private readonly admitHost: AdmitHost | undefined) {}

  /** Registered standbys not promoted yet. */
  get size(): number {
    return this.standbys.size
  }

  /** What a `register` becomes: a tool is always `active`; a host is what `admitHost` says. */
  admissionOf(msg: Register): HostAdmission {
    return msg.kind === 'host' ? (this.admitHost?.(msg) ?? 'active') : 'active'
  }

  /** Holds a newly registered standby host (client `clientId` on `conn`) until it is promoted. */
  add(conn: FrameConnection, clientId: number, msg: Register): StandbyClient {
    const standby: StandbyClient = {
      role: 'standby',
      conn,
      clientId,
      pid: msg.pid,
      features: msg.features,
      spawnId: msg.spawn_id,
      promotedTo: undefined,
      isClosed: false,
    }
    this.standbys.add(standby)
    return standby
  }

  /**
   * Takes the open standby with this spawn id out of the set for promotion; undefined when none
   * (its connection is gone). The caller marks it `promotedTo` its new host client.
   */
  take(spawnId: string): StandbyClient | undefined {
    const standby = [...this.standbys].find((s) => s.spawnId === spawnId && !s.isClosed)
    if (standby) this.standbys.delete(standby)
    return standby
  }

  /** Forgets a standby whose connection closed. */
  delete(standby: StandbyClient): void {
    this.standbys.delete(standby)
  }

  /** The standbys held now (a copy: dropping them while iterating is safe). */
  members(): StandbyClient[] {
    return [...this.standbys]
  }
}
