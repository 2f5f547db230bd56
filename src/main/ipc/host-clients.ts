import type { Register } from '../../shared/protocol'
import { FEATURE_ACK, FEATURE_BYTES, FEATURE_PER_CALL_ACK, wantsBusEvents } from '../../shared/protocol'
import type { Logger } from '../base/logger'
import { OnceEmitter } from '../base/once-emitter'
import type { HostPipe } from '../host-pipe'
import { connectionWriter } from './connection-writer'
import type { FrameConnection } from './frame-connection'
import type { HostClient, StandbyClient } from './launcher-client'

/** What the host clients use of HostPipe. */
export type HostClientsPipe = Pick<HostPipe, 'setWriter' | 'clearWriter' | 'snapshot'>

/** A connection whose `register` was accepted: its id, and what it registered with. */
export interface AcceptedHost {
  readonly conn: FrameConnection
  readonly clientId: number
  readonly msg: Register
}

/**
 * The launcher server's registered host connections (docs/protocol.md#register): in each pool
 * slot the one that owns that slot's pipe, and the idle standbys. Taking a pipe is a new session:
 * `setWriter` with the connection's writer, and the buffer drains into it; the host that had it
 * is replaced (its connection closed). The server keeps the frames and the closes; this keeps who
 * is who.
 */
export class HostClients {
  /** Each slot's host, by slot. */
  private readonly hosts: (HostClient | undefined)[]
  /** Registered standbys' connections not promoted yet (closed on dispose). */
  private readonly idle = new Set<StandbyClient>()

  constructor(
    /** Each pool slot's pipe, slot 0 first. */
    private readonly pipes: readonly HostClientsPipe[],
    private readonly log: Logger,
  ) {
    this.hosts = pipes.map(() => undefined)
  }

  /** Slot 0's host, if any. */
  get current(): HostClient | undefined {
    return this.hosts[0]
  }

  /** The host that owns `slot`'s pipe now, if any. */
  of(slot: number): HostClient | undefined {
    return this.hosts[slot]
  }

  /** Every slot's host (slots without one left out). */
  all(): HostClient[] {
    return this.hosts.filter((h): h is HostClient => h !== undefined)
  }

  /** Registered standbys not promoted yet. */
  get standbyCount(): number {
    return this.idle.size
  }

  /** The idle standbys (a copy: dropping them while iterating is safe). */
  standbys(): StandbyClient[] {
    return [...this.idle]
  }

  /** Holds an accepted host as an idle standby: given nothing until `promote`. */
  addStandby({ conn, clientId, msg }: AcceptedHost): StandbyClient {
    const standby: StandbyClient = {
      role: 'standby',
      conn,
      clientId,
      pid: msg.pid,
      features: msg.features,
      spawnId: msg.spawn_id,
      promotedTo: undefined,
      didClose: new OnceEmitter<string>(),
      isClosed: false,
    }
    this.idle.add(standby)
    this.log.info(`[ipc] standby host registered: client ${clientId}, pid ${msg.pid} (${conn.description})`)
    return standby
  }

  /** Gives `slot`'s pipe to an accepted host's connection (its `registered` must be sent already). */
  install({ conn, clientId, msg }: AcceptedHost, slot = 0): HostClient {
    return this.take(conn, clientId, msg.pid, msg.features, msg.spawn_id, new OnceEmitter(), slot)
  }

  /**
   * Hands the pipe to a registered standby's connection, as `install` does. Returns the host
   * client, or undefined when it is closed or was promoted already.
   */
  promote(standby: StandbyClient, slot = 0): HostClient | undefined {
    if (standby.isClosed || standby.promotedTo) return undefined
    this.idle.delete(standby)
    const host = this.take(
      standby.conn,
      standby.clientId,
      standby.pid,
      standby.features,
      standby.spawnId,
      standby.didClose,
      slot,
    )
    standby.promotedTo = host
    this.log.info(
      `[ipc] standby client ${standby.clientId} (pid ${standby.pid}) promoted: session ${host.sessionId}`,
    )
    return host
  }

  /**
   * Forgets a closed host or standby client. Returns true when it owned the pipe (the pipe's
   * writer is then cleared).
   */
  forget(client: HostClient | StandbyClient): boolean {
    if (client.role === 'standby') {
      this.idle.delete(client)
      return false
    }
    if (this.hosts[client.slot] !== client) return false
    this.hosts[client.slot] = undefined
    this.pipes[client.slot]!.clearWriter()
    return true
  }

  private take(
    conn: FrameConnection,
    clientId: number,
    pid: number,
    features: readonly string[],
    spawnId: string | undefined,
    didClose: OnceEmitter<string>,
    slot: number,
  ): HostClient {
    const pipe = this.pipes[slot]
    if (!pipe) throw new RangeError(`no pool slot ${slot}`)
    const previous = this.hosts[slot]
    const hasAcks = features.includes(FEATURE_ACK)
    const hasPerCallAcks = hasAcks && features.includes(FEATURE_PER_CALL_ACK)
    const drained = pipe.setWriter(connectionWriter(conn, features.includes(FEATURE_BYTES)), {
      acks: hasAcks,
      perCall: hasPerCallAcks,
    })
    // setWriter bumps the session synchronously; the promise only settles once the drain is done.
    const host: HostClient = {
      role: 'host',
      conn,
      clientId,
      pid,
      sessionId: pipe.snapshot().sessionId,
      features,
      spawnId,
      slot,
      isFanoutActive: wantsBusEvents(features),
      hasPerCallAcks,
      didClose,
      isReplaced: false,
      isClosed: false,
    }
    this.hosts[slot] = host
    drained.catch((err: unknown) => this.log.warn(`[ipc] setWriter failed: ${String(err)}`))
    this.log.info(
      `[ipc] host registered: client ${clientId}, pid ${pid}, slot ${slot}, session ${host.sessionId}, ` +
        `features ${features.join(',') || 'none'} (${conn.description})`,
    )
    if (previous) {
      previous.isReplaced = true
      previous.isFanoutActive = false
      this.log.info(`[ipc] host client ${previous.clientId} replaced by client ${clientId}`)
      previous.conn.close()
    }
    return host
  }
}
