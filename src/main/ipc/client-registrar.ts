/**
 * What a connection's `register` makes of it: the token checked against its kind's secret, a tool
 * added to the fanout, a host announced (a listener decides what it becomes) and answered
 * `registered` with the pace and limits its features ask for. Apart from LauncherServer because a
 * call never passes here: its frames meet only clients that registered already.
 */
import type { ErrorCode, Event, Register } from '../../shared/protocol'
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_STREAM_WINDOW,
  FEATURE_BYTES,
  FEATURE_LIVENESS_WORKER,
  FEATURE_STREAMS,
  frameLimitFor,
  HOSTPIPE_FEATURES,
} from '../../shared/protocol'
import type { Disposable } from '../base/disposable'
import { Emitter, type Listenable } from '../base/emitter'
import type { Logger } from '../base/logger'
import type { HostClients } from './host-clients'
import { AnnouncedRegistration, type HostAdmission, type HostRegistration } from './host-registration'
import {
  registeredOf,
  type HostClient,
  type LauncherClient,
  type PendingClient,
  type RegisteredHost,
  type StandbyClient,
  type ToolClient,
} from './launcher-client'
import { tokensEqual } from './secret-token'
import type { ToolFanout } from './tool-fanout'
import type { UnregisteredClients } from './unregistered-clients'

/** What a `register` is checked against and answered with; part of LauncherServerOptions. */
export interface ClientRegistrarOptions {
  /**
   * The host token (a host's env HOSTPIPE_TOKEN, never shown to a person): what a `kind:"host"`
   * client presents in `register`, and only it.
   */
  hostToken: string
  /**
   * The diagnostics API token (the one in the printed `Diagnostics:` URL): what a `kind:"tool"`
   * client presents, and only it. Must differ from `hostToken` (docs/protocol.md#tokens),
   * so host code cannot watch every event as a tool nor drive the HTTP API.
   */
  apiToken: string
  /** The launcher's one version counter (events carry it; connection-private errors use 0). */
  nextVersion(): number
  /** Sent as `launcher_version` in `registered`. */
  launcherVersion: string
  /**
   * The launcher's `unresponsiveMs`, sent as `registered.unresponsive_ms` to hosts that announce
   * `liveness_worker` (their worker paces its reports by it). Default 0: liveness off, not sent.
   */
  unresponsiveMs?: number
  /**
   * The launcher's `maxPayloadBytes` (default DEFAULT_MAX_PAYLOAD_BYTES, 64 MiB), sent as
   * `registered.max_payload_bytes` to hosts that announced hostpipe's features; their connections
   * then read frames up to `frameLimitFor` it. Other hosts, and every connection until it
   * registered, keep MAX_FRAME_BYTES.
   */
  maxPayloadBytes?: number
  /**
   * Chunks a stream may send before its first `stream_credit`, sent as `registered.stream_window`
   * to hosts that announce `streams` (docs/protocol.md#streams). Default 16.
   */
  streamWindow?: number
  /** Sent as `launcher_pid`; default `process.pid`. */
  launcherPid?: number
}

/** The server's client sets the registrar moves clients between, and how it answers and ends them. */
export interface RegistrarClients {
  readonly unregistered: UnregisteredClients
  readonly hosts: HostClients
  readonly tools: ToolFanout<ToolClient>
  readonly log: Logger
  send(client: LauncherClient, e: Event): void
  fail(client: LauncherClient, code: ErrorCode, message: string, isFatal: boolean): void
  drop(client: LauncherClient, reason: string): void
}

/** Turns a pending client's `register` into a host, standby or tool client. */
export class ClientRegistrar implements Disposable {
  private readonly didAnnounceHost = new Emitter<HostRegistration>()
  private readonly didRegisterHost = new Emitter<RegisteredHost>()
  private lastClientId = 0
  private isDisposed = false

  /** A host sent a valid `register`; see LauncherServer.onDidAnnounceHost. */
  readonly onDidAnnounceHost: Listenable<HostRegistration> = this.didAnnounceHost.event
  /** A host took a pipe: accepted as active, or a standby promoted. */
  readonly onDidRegisterHost: Listenable<RegisteredHost> = this.didRegisterHost.event

  /** Throws a RangeError when a token is empty or both are the same. */
  constructor(
    private readonly opts: ClientRegistrarOptions,
    private readonly clients: RegistrarClients,
  ) {
    if (opts.hostToken === '' || opts.apiToken === '')
      throw new RangeError('hostToken and apiToken must not be empty')
    if (opts.hostToken === opts.apiToken)
      throw new RangeError('hostToken and apiToken must differ: hosts must not hold the API secret')
  }

  /**
   * Registers `pending` as `msg` asks; returns the client from now on (`pending` itself when its
   * token is wrong or its host is refused: its connection is closed then).
   */
  register(pending: PendingClient, msg: Register): LauncherClient {
    // Each kind has its own secret: the other one is refused like any wrong token.
    if (!tokensEqual(msg.token, msg.kind === 'host' ? this.opts.hostToken : this.opts.apiToken)) {
      const which =
        msg.kind === 'host'
          ? "`token` does not match this launch's host token (HOSTPIPE_TOKEN)"
          : "`token` does not match this launch's API token (the one in the Diagnostics URL)"
      this.clients.fail(pending, 'unauthorized', which, true)
      return pending
    }
    if (msg.kind === 'tool') return this.registerTool(pending, msg)
    let client: HostClient | StandbyClient | PendingClient = pending
    const registration = new AnnouncedRegistration(
      msg,
      (as, slot) => (client = this.acceptHost(pending, msg, as, slot)),
      (reason) => {
        this.clients.log.warn(
          `[ipc] host pid ${msg.pid} (spawn ${msg.spawn_id ?? '?'}) refused (${reason}): closing its connection`,
        )
        this.clients.drop(pending, 'refused')
      },
      (standby, slot) => this.promote(standby, slot),
    )
    this.didAnnounceHost.fire(registration)
    if (!registration.isDecided && !pending.isClosed) registration.accept('active')
    return client
  }

  /** No host is promoted and no event fires from here on. */
  dispose(): void {
    this.isDisposed = true
    this.didAnnounceHost.dispose()
    this.didRegisterHost.dispose()
  }

  private registerTool(pending: PendingClient, msg: Register): ToolClient {
    this.clients.unregistered.delete(pending)
    const clientId = ++this.lastClientId
    const conn = pending.conn
    const tool: ToolClient = { role: 'tool', conn, clientId, pid: msg.pid, isClosed: false }
    this.clients.tools.add(tool)
    this.clients.log.info(`[ipc] tool registered: client ${clientId}, pid ${msg.pid} (${conn.description})`)
    this.clients.send(tool, this.registeredEvent(clientId))
    return tool
  }

  /**
   * `registered`; a host with a liveness worker also learns `unresponsive_ms` (its pace), and a
   * host that announced hostpipe's features `max_payload_bytes`.
   */
  private registeredEvent(clientId: number, features: readonly string[] = []): Event {
    const unresponsiveMs = this.opts.unresponsiveMs ?? 0
    const hasWorker = unresponsiveMs > 0 && features.includes(FEATURE_LIVENESS_WORKER)
    const maxPayloadBytes = payloadLimitFor(features, this.opts.maxPayloadBytes)
    return {
      event: 'registered',
      client_id: clientId,
      launcher_pid: this.opts.launcherPid ?? process.pid,
      launcher_version: this.opts.launcherVersion,
      ...(hasWorker ? { unresponsive_ms: unresponsiveMs } : {}),
      ...(maxPayloadBytes === undefined ? {} : { max_payload_bytes: maxPayloadBytes }),
      ...(features.includes(FEATURE_STREAMS)
        ? { stream_window: this.opts.streamWindow ?? DEFAULT_STREAM_WINDOW }
        : {}),
      version: this.opts.nextVersion(),
    }
  }

  /** Answers `registered` and takes the host as `as`: the pipe's host, or an idle standby. */
  private acceptHost(
    pending: PendingClient,
    msg: Register,
    as: HostAdmission,
    slot: number,
  ): HostClient | StandbyClient {
    this.clients.unregistered.delete(pending)
    const accepted = { conn: pending.conn, clientId: ++this.lastClientId, msg }
    // Before the pipe is handed over: its drain writes buffered commands at once, `registered` first.
    this.clients.send(pending, this.registeredEvent(accepted.clientId, msg.features))
    const maxPayloadBytes = payloadLimitFor(msg.features, this.opts.maxPayloadBytes)
    if (maxPayloadBytes !== undefined) {
      pending.conn.setMaxFrameBytes(frameLimitFor(maxPayloadBytes))
      if (msg.features.includes(FEATURE_BYTES)) pending.conn.acceptByteFrames?.()
    }
    if (as === 'standby') return this.clients.hosts.addStandby(accepted)
    const host = this.clients.hosts.install(accepted, slot)
    this.didRegisterHost.fire(registeredOf(host))
    return host
  }

  /**
   * Hands the pipe to a registered standby's connection (HostClients.promote); fires
   * `onDidRegisterHost`. False when it is closed or was promoted already.
   */
  private promote(standby: StandbyClient, slot: number): boolean {
    if (this.isDisposed) return false
    const host = this.clients.hosts.promote(standby, slot)
    if (!host) return false
    this.didRegisterHost.fire(registeredOf(host))
    return true
  }
}

/** The `maxPayloadBytes` a host with `features` learns, or undefined for an AgentMux host. */
function payloadLimitFor(
  features: readonly string[],
  maxPayloadBytes: number | undefined,
): number | undefined {
  if (!features.some((f) => HOSTPIPE_FEATURES.has(f))) return undefined
  return maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES
}
