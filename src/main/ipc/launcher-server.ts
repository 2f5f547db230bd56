import type { InboundFrame } from '../../shared/byte-frame'
import type { ErrorCode, Event, HostInbound, SagaReport, StreamFrame } from '../../shared/protocol'
import { parseHostInboundFast } from '../../shared/fast-frames'
import { encodeEvent, parseHostInboundBySchema } from '../../shared/protocol'
import { systemClock, type Clock } from '../base/clock'
import { DisposableStore } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import { silentLogger, type Logger } from '../base/logger'
import { HostPipeError, type HostPipe } from '../host-pipe'
import { ClientRegistrar, type ClientRegistrarOptions } from './client-registrar'
import type { FrameConnection } from './frame-connection'
import { HostClients } from './host-clients'
import type { HostRegistration } from './host-registration'
import {
  registeredOf,
  type HostClient,
  type LauncherClient,
  type RegisteredHost,
  type StandbyClient,
  type ToolClient,
} from './launcher-client'
import { ToolFanout } from './tool-fanout'
import { UnregisteredClients } from './unregistered-clients'

export type { RegisteredHost } from './launcher-client'

/** A stream frame from the current host, with its size as received and the host's claimed pid. */
export interface ReceivedStreamFrame {
  readonly frame: StreamFrame
  /** The frame's length as received: bytes for a binary frame, characters for a text one. */
  readonly bytes: number
  readonly hostPid: number
  /** The pool slot of the host that sent it. */
  readonly slot: number
}
export type { HostAdmission, HostConnection, HostRegistration } from './host-registration'

/** `report_main_thread` from a slot's host: how long its main thread has been blocked (ms). */
export interface MainThreadReport {
  readonly slot: number
  readonly blockedMs: number
}

/** Connections that have not registered yet; more are closed on arrival. */
export const MAX_UNREGISTERED_CONNECTIONS = 32
/** How long a connection may stay unregistered before it is closed. */
export const REGISTER_TIMEOUT_MS = 5000
/** Events a tool may leave unread before it is watched for progress. */
export const TOOL_BACKLOG_LIMIT = 1024
/** A tool at its backlog limit that takes no event for this long is cut off. */
export const TOOL_STALL_MS = 1000

/** What the server uses of HostPipe. */
export type LauncherServerPipe = Pick<
  HostPipe,
  'setWriter' | 'clearWriter' | 'ack' | 'sendEventForSession' | 'snapshot'
>

/** The registration options (tokens, what `registered` says; see ClientRegistrarOptions) and these. */
export interface LauncherServerOptions extends ClientRegistrarOptions {
  /** The pipe a registered host takes: one, or one per pool slot (slot 0 first). */
  hostPipe: LauncherServerPipe | readonly LauncherServerPipe[]
  log?: Logger
  /** Also write every broadcast event to the current host, as the seed's fanout does. Default true. */
  fanoutToHost?: boolean
  /** Default MAX_UNREGISTERED_CONNECTIONS (32). */
  maxUnregistered?: number
  /** Default REGISTER_TIMEOUT_MS (5 s). */
  registerTimeoutMs?: number
  /** Default TOOL_BACKLOG_LIMIT (1024 events). */
  toolBacklogLimit?: number
  /** Default TOOL_STALL_MS (1 s). */
  toolStallMs?: number
  /** For the register timeout and the tool stall check; default the wall clock. */
  clock?: Clock
}

/**
 * The launcher's side of the protocol, whatever the transport: register-first (ClientRegistrar
 * checks and answers the `register`), the error codes of docs/protocol.md, routing the registered
 * host's acks and reports, and fanning events out to tools (ToolFanout) and to the host.
 *
 * Error events are private to their connection and carry version 0. A fatal error closes only
 * its own connection, after the error frame has been flushed.
 */
export class LauncherServer {
  private readonly opts: LauncherServerOptions
  /** Each pool slot's pipe, slot 0 first. */
  private readonly pipes: readonly LauncherServerPipe[]
  private readonly log: Logger
  private readonly clock: Clock
  private readonly hasHostFanout: boolean
  private readonly unregistered: UnregisteredClients
  /** The registered hosts: the one that owns the pipe, and the idle standbys. */
  private readonly hosts: HostClients
  private readonly tools: ToolFanout<ToolClient>
  private readonly registrar: ClientRegistrar
  private readonly disposables = new DisposableStore()
  private isDisposed = false

  private readonly didLoseHost = this.disposables.add(new Emitter<RegisteredHost & { reason: string }>())
  private readonly didReceiveReport = this.disposables.add(new Emitter<SagaReport>())
  private readonly didReceiveStreamFrame = this.disposables.add(new Emitter<ReceivedStreamFrame>())
  private readonly didDropEvent = this.disposables.add(new Emitter<void>())
  private readonly didReceiveMainThreadReport = this.disposables.add(new Emitter<MainThreadReport>())
  private readonly didReceiveHostFrame = this.disposables.add(new Emitter<number>())

  /** A host registered and now owns the pipe (a new session). */
  readonly onDidRegisterHost: Listenable<RegisteredHost>
  /**
   * The current host left (goodbye, EOF, error, fatal frame), with why. Not fired when it is
   * replaced by a newer host, nor on dispose.
   */
  readonly onDidLoseHost: Listenable<RegisteredHost & { reason: string }> = this.didLoseHost.event
  private readonly didHostSayExit = this.disposables.add(new Emitter<number>())
  /** The current host said goodbye because its process exits, with the exit code; before its loss. */
  readonly onDidHostSayExit: Listenable<number> = this.didHostSayExit.event
  /** A saga report from the current host (the saga coordinator listens here). */
  readonly onDidReceiveReport: Listenable<SagaReport> = this.didReceiveReport.event
  /** `report_progress`, `report_chunk` or `report_event` from the current host (feature `streams`). */
  readonly onDidReceiveStreamFrame: Listenable<ReceivedStreamFrame> = this.didReceiveStreamFrame.event
  /**
   * A `report_event` was dropped because its host is not the one serving: a standby, or a host
   * already written off (replaced or closed) whose frames were still being read.
   */
  readonly onDidDropEvent: Listenable<void> = this.didDropEvent.event
  /** `report_main_thread{blocked_ms}` from a slot's host's liveness worker. */
  readonly onDidReceiveMainThreadReport: Listenable<MainThreadReport> = this.didReceiveMainThreadReport.event
  /**
   * Any frame from a slot's host (before it is parsed), with the slot: its event loop runs.
   * Liveness (docs/protocol.md#liveness) listens here; fired per frame, so listeners must be cheap.
   */
  readonly onDidReceiveHostFrame: Listenable<number> = this.didReceiveHostFrame.event
  /**
   * A host sent a valid `register` (right token, first frame): a listener decides what it becomes
   * (see HostRegistration; the supervisor does). Undecided, it becomes the active host.
   */
  readonly onDidAnnounceHost: Listenable<HostRegistration>

  constructor(opts: LauncherServerOptions) {
    this.opts = opts
    this.log = opts.log ?? silentLogger
    this.clock = opts.clock ?? systemClock
    this.unregistered = new UnregisteredClients({
      clock: this.clock,
      maxUnregistered: opts.maxUnregistered ?? MAX_UNREGISTERED_CONNECTIONS,
      registerTimeoutMs: opts.registerTimeoutMs ?? REGISTER_TIMEOUT_MS,
    })
    this.pipes = Array.isArray(opts.hostPipe) ? opts.hostPipe : [opts.hostPipe as LauncherServerPipe]
    this.hosts = new HostClients(this.pipes, this.log)
    this.hasHostFanout = opts.fanoutToHost ?? true
    this.tools = this.disposables.add(
      new ToolFanout<ToolClient>({
        clock: this.clock,
        backlogLimit: opts.toolBacklogLimit ?? TOOL_BACKLOG_LIMIT,
        stallMs: opts.toolStallMs ?? TOOL_STALL_MS,
        log: this.log,
      }),
    )
    this.registrar = new ClientRegistrar(opts, {
      unregistered: this.unregistered,
      hosts: this.hosts,
      tools: this.tools,
      log: this.log,
      send: (client, e) => this.send(client, e),
      fail: (client, code, message, isFatal) => this.fail(client, code, message, isFatal),
      drop: (client, reason) => this.drop(client, reason),
    })
    this.onDidRegisterHost = this.registrar.onDidRegisterHost
    this.onDidAnnounceHost = this.registrar.onDidAnnounceHost
    this.disposables.add(this.tools.onDidStall((tool) => this.drop(tool, 'too slow')))
  }

  /** The host that owns slot 0's pipe now, if any. */
  get currentHost(): RegisteredHost | undefined {
    return this.hostOf(0)
  }

  /** The host that owns `slot`'s pipe now, if any. */
  hostOf(slot: number): RegisteredHost | undefined {
    const host = this.hosts.of(slot)
    return host && registeredOf(host)
  }

  /** Registered standbys not promoted yet. */
  get standbyCount(): number {
    return this.hosts.standbyCount
  }

  get toolCount(): number {
    return this.tools.size
  }

  get unregisteredCount(): number {
    return this.unregistered.size
  }

  /** Takes a new connection (from the socket server, or a host's port channel). */
  attach(conn: FrameConnection): void {
    if (this.isDisposed) return conn.close()
    if (this.unregistered.isFull) {
      this.log.warn(
        `[ipc] ${conn.description}: ${this.unregistered.size} connections not registered yet; refusing`,
      )
      return conn.close()
    }
    const timeoutMs = this.unregistered.registerTimeoutMs
    const pending = this.unregistered.add(conn, (p) =>
      this.fail(p, 'not_registered', `no \`register\` within ${timeoutMs} ms`, true),
    )
    // `register` replaces the pending client with a host or a tool client.
    let client: LauncherClient = pending
    conn.onFrame((frame) => {
      client = this.onFrame(client, frame)
    })
    conn.onTooLarge((bytes) =>
      this.fail(
        client,
        'frame_too_large',
        `frame of ${bytes}+ bytes exceeds ${conn.maxFrameBytes} bytes`,
        true,
      ),
    )
    conn.onClose((reason) => this.drop(client, reason))
  }

  /** Whether `broadcast` writes anywhere now: to a tool, or to a host that keeps the seed's fanout. */
  get forwardsEvents(): boolean {
    return this.tools.size > 0 || (this.hasHostFanout && this.hosts.current?.isFanoutActive === true)
  }

  /**
   * Sends an event to every tool, and to the current host if it wants bus events (see
   * `wantsBusEvents`) unless `fanoutToHost` is off.
   */
  broadcast(e: Event): void {
    if (this.tools.size > 0) this.tools.broadcast(encodeEvent(e))
    const host = this.hosts.current
    if (this.hasHostFanout && host?.isFanoutActive) {
      this.pipes[0]!.sendEventForSession(host.sessionId, e).catch((err: unknown) => {
        if (err instanceof HostPipeError && err.code === 'STALE_SESSION') host.isFanoutActive = false
        else this.log.debug(`[ipc] event fanout to host failed: ${String(err)}`)
      })
    }
  }

  /**
   * Closes `slot`'s host's connection (default 0; the polite stop: a host exits when its
   * connection closes). That slot's pipe is disconnected before this returns. Idempotent.
   */
  disconnectHost(reason: string, slot = 0): void {
    const host = this.hosts.of(slot)
    if (host) this.drop(host, reason)
  }

  /** Closes every connection and clears the timers. No event fires from here on. */
  dispose(): void {
    if (this.isDisposed) return
    this.isDisposed = true
    this.registrar.dispose()
    for (const client of [...this.unregistered.members(), ...this.tools.members(), ...this.hosts.standbys()])
      this.drop(client, 'disposed')
    for (const host of this.hosts.all()) this.drop(host, 'disposed')
    this.disposables.dispose()
  }

  // ---------------------------------------------------------------------------------------------

  /** Handles one frame; returns the client from now on (a new one after a successful `register`). */
  private onFrame(client: LauncherClient, frame: InboundFrame): LauncherClient {
    if (client.role === 'standby' && client.promotedTo) client = client.promotedTo
    if (client.isClosed || (client.role === 'host' && client.isReplaced)) {
      // Parsed only on this rare path, to count the app events a written-off host still sent.
      if (client.role !== 'unregistered' && client.role !== 'tool' && isEventFrame(frame, client))
        this.didDropEvent.fire()
      return client
    }
    if (client.role === 'host') this.didReceiveHostFrame.fire(client.slot)
    // A host's acks and reports are read without zod; the schemas read the rest, and word every error.
    let msg = parseHostInboundFast(frame, client.conn.maxFrameBytes)
    if (!msg) {
      const parsed = parseHostInboundBySchema(frame, client.conn.maxFrameBytes)
      if (!parsed.ok) {
        const isFatal = parsed.code === 'frame_too_large' || client.role === 'unregistered'
        this.fail(client, parsed.code, parsed.message, isFatal)
        return client
      }
      msg = parsed.frame
    }
    if (client.role === 'unregistered') {
      if (msg.cmd !== 'register') {
        this.fail(client, 'not_registered', `\`register\` must come first, got \`${msg.cmd}\``, true)
        return client
      }
      return this.registrar.register(client, msg)
    }
    this.onRegisteredFrame(client, msg, frame)
    return client
  }

  private onRegisteredFrame(
    client: HostClient | ToolClient | StandbyClient,
    msg: HostInbound,
    frame: InboundFrame,
  ): void {
    switch (msg.cmd) {
      case 'register':
        return this.fail(
          client,
          'already_registered',
          `already registered as client ${client.clientId}`,
          false,
        )
      case 'ping':
        return this.send(client, { event: 'pong', nonce: msg.nonce, version: this.opts.nextVersion() })
      case 'goodbye':
        this.log.info(`[ipc] client ${client.clientId} (${client.conn.description}) said goodbye`)
        // Before its calls are failed by the drop, so their reasons can say why it left.
        if (msg.exit_code !== undefined && client.role === 'host' && !client.isReplaced)
          this.didHostSayExit.fire(msg.exit_code)
        return this.drop(client, msg.exit_code === undefined ? 'goodbye' : `exit code ${msg.exit_code}`)
    }
    // A standby's worker may report a stall too; it runs nothing, so there is nothing to judge.
    if (msg.cmd === 'report_main_thread' && client.role === 'standby') return
    // Only the serving host's events reach the app; a standby's are dropped and counted.
    if (msg.cmd === 'report_event' && client.role === 'standby') return this.didDropEvent.fire()
    if (client.role !== 'host')
      return this.fail(
        client,
        'invalid_command',
        `a ${client.role} may only send ping and goodbye, got \`${msg.cmd}\``,
        false,
      )
    switch (msg.cmd) {
      case 'ack':
        return this.pipes[client.slot]!.ack(msg.seq)
      case 'report_ui_thread_alive':
        // A probe's answer is a frame from the host: liveness counted it (onDidReceiveHostFrame).
        return
      case 'report_main_thread':
        return this.didReceiveMainThreadReport.fire({ slot: client.slot, blockedMs: msg.blocked_ms })
      case 'report_result':
      case 'report_saga_action_failed':
        // A per-call host's report is its command's ack too. Acked first: the saga then ends
        // with nothing of it left in flight, so ending it walks nothing.
        if (msg.seq !== undefined && client.hasPerCallAcks) this.pipes[client.slot]!.ack(msg.seq)
        return this.didReceiveReport.fire(msg)
      case 'report_progress':
      case 'report_chunk':
      case 'report_event':
        return this.didReceiveStreamFrame.fire({
          frame: msg,
          bytes: frameSize(frame),
          hostPid: client.pid,
          slot: client.slot,
        })
      default:
        return this.didReceiveReport.fire(msg)
    }
  }

  private fail(client: LauncherClient, code: ErrorCode, message: string, isFatal: boolean): void {
    if (client.isClosed) return
    const who = client.role === 'unregistered' ? 'unregistered client' : `client ${client.clientId}`
    const line = `[ipc] ${who} (${client.conn.description}): ${code}: ${message}`
    if (isFatal) this.log.warn(line + '; closing')
    else this.log.debug(line)
    this.send(client, { event: 'error', code, message, fatal: isFatal, version: 0 })
    // The connection flushes the error before it closes.
    if (isFatal) this.drop(client, code)
  }

  private send(client: LauncherClient, e: Event): void {
    // A failed send surfaces as the connection closing; nothing to do here.
    client.conn.send(encodeEvent(e)).catch(() => undefined)
  }

  /** Forgets a client and closes its connection. Idempotent; the only place a client ends. */
  private drop(client: LauncherClient, reason: string): void {
    if (client.isClosed) return
    client.isClosed = true
    client.conn.close()
    if ((client.role === 'host' || client.role === 'standby') && !this.isDisposed)
      client.didClose.fire(reason)
    switch (client.role) {
      case 'unregistered':
        this.unregistered.delete(client)
        return
      case 'tool':
        this.tools.remove(client)
        return
      case 'standby':
        if (client.promotedTo) return this.drop(client.promotedTo, reason)
        this.hosts.forget(client)
        return
      case 'host':
        if (!this.hosts.forget(client)) return
        this.log.info(`[ipc] host client ${client.clientId} (pid ${client.pid}) gone: ${reason}`)
        if (!this.isDisposed) this.didLoseHost.fire({ ...registeredOf(client), reason })
    }
  }
}

/** A frame's size as received: bytes for a byte frame or a Uint8Array, characters for text. */
function frameSize(frame: InboundFrame): number {
  return typeof frame === 'string' || frame instanceof Uint8Array ? frame.length : frame.byteLength
}

/** Whether a frame a written-off client sent is a valid `report_event` (never a fast-path frame). */
function isEventFrame(frame: InboundFrame, client: LauncherClient): boolean {
  const parsed = parseHostInboundBySchema(frame, client.conn.maxFrameBytes)
  return parsed.ok && parsed.frame.cmd === 'report_event'
}
