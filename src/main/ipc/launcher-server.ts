import { createHash, timingSafeEqual } from 'node:crypto'
import {
  HostPipeError,
  silentLogger,
  systemClock,
  type Clock,
  type HostPipe,
  type Logger,
} from '../host-pipe'
import {
  encodeEvent,
  MAX_FRAME_BYTES,
  parseHostInbound,
  type ErrorCode,
  type Event,
  type HostInbound,
  type Register,
  type SagaReport,
} from '../../shared/protocol'
import type { FrameConnection } from './frame-connection'

/** Connections that have not registered yet; more are closed on arrival. */
export const MAX_UNREGISTERED_CONNECTIONS = 32
/** How long a connection may stay unregistered before it is closed. */
export const REGISTER_TIMEOUT_MS = 5000
/** Events a tool may leave unread before it is watched for progress. */
export const TOOL_BACKLOG_LIMIT = 1024
/** A tool at its backlog limit that takes no event for this long is cut off. */
export const TOOL_STALL_MS = 1000

/** What the server needs of HostPipe. */
export type HostPipePort = Pick<
  HostPipe,
  'setWriter' | 'clearWriter' | 'ack' | 'sendEventForSession' | 'snapshot'
>

export interface RegisteredHost {
  clientId: number
  pid: number
  sessionId: number
}

export interface LauncherServerOptions {
  hostPipe: HostPipePort
  /**
   * The host token (a host's env HOSTPIPE_TOKEN, never shown to a person): what a `kind:"host"`
   * client presents in `register`, and only it.
   */
  hostToken: string
  /**
   * The diagnostics API token (the one in the printed `Diagnostics:` URL): what a `kind:"tool"`
   * client presents, and only it. Must differ from `hostToken` (ARCHITECTURE §2, "Two secrets"),
   * so host code cannot watch every event as a tool nor drive the HTTP API.
   */
  apiToken: string
  /** The launcher's one version counter (events carry it; connection-private errors use 0). */
  nextVersion(): number
  /** Sent as `launcher_version` in `registered`. */
  launcherVersion: string
  /** Sent as `launcher_pid`; default `process.pid`. */
  launcherPid?: number
  log?: Logger
  /** A host registered and now owns the pipe (a new session). */
  onHostRegistered?(host: RegisteredHost): void
  /** The current host left (goodbye, EOF, error, fatal frame). Not called when replaced or on dispose. */
  onHostGone?(host: RegisteredHost & { reason: string }): void
  /** A saga report from the current host (the saga coordinator plugs in here). */
  onReport?(report: SagaReport): void
  /** `report_ui_thread_alive{nonce}` from the current host. */
  onUiThreadAlive?(nonce: number): void
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
  /** For the register timeout; default the wall clock. */
  clock?: Clock
}

type ClientState = 'unregistered' | 'host' | 'tool' | 'replaced' | 'closed'

/** One connection and what the server knows of it. */
class Client {
  state: ClientState = 'unregistered'
  clientId = 0
  pid = 0
  sessionId = 0
  /** Host: still fanning events out (stops quietly on STALE_SESSION). */
  isFanoutActive = false
  /** Tool: events sent and not yet taken by the transport. */
  backlog = 0
  /** Tool: events the transport has taken so far (progress, as the stall check sees it). */
  taken = 0
  /** Tool: armed while its backlog is at the limit; cuts it off unless it took an event since. */
  stallCheck: { timer: unknown; takenWhenArmed: number } | undefined
  registerTimer: unknown

  constructor(readonly conn: FrameConnection) {}

  get registered(): RegisteredHost {
    return { clientId: this.clientId, pid: this.pid, sessionId: this.sessionId }
  }
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()

/**
 * The launcher's side of the protocol, whatever the transport: register-first, the error codes of
 * ARCHITECTURE §2, handing the registered host's connection to HostPipe, routing acks and reports,
 * and fanning events out to tools (and to the host).
 *
 * Error events are private to their connection and carry version 0. A fatal error closes only
 * its own connection, after the error frame has been flushed.
 */
export class LauncherServer {
  private readonly opts: LauncherServerOptions
  private readonly log: Logger
  private readonly clock: Clock
  private readonly hostTokenDigest: Buffer
  private readonly apiTokenDigest: Buffer
  private readonly maxUnregistered: number
  private readonly registerTimeoutMs: number
  private readonly toolBacklogLimit: number
  private readonly toolStallMs: number
  private readonly hasHostFanout: boolean
  private readonly unregistered = new Set<Client>()
  private readonly tools = new Set<Client>()
  private host: Client | undefined
  private lastClientId = 0
  private isDisposed = false

  constructor(opts: LauncherServerOptions) {
    this.opts = opts
    this.log = opts.log ?? silentLogger
    this.clock = opts.clock ?? systemClock
    if (opts.hostToken === '' || opts.apiToken === '')
      throw new RangeError('hostToken and apiToken must not be empty')
    if (opts.hostToken === opts.apiToken)
      throw new RangeError('hostToken and apiToken must differ: hosts must not hold the API secret')
    this.hostTokenDigest = sha256(opts.hostToken)
    this.apiTokenDigest = sha256(opts.apiToken)
    this.maxUnregistered = opts.maxUnregistered ?? MAX_UNREGISTERED_CONNECTIONS
    this.registerTimeoutMs = opts.registerTimeoutMs ?? REGISTER_TIMEOUT_MS
    this.toolBacklogLimit = opts.toolBacklogLimit ?? TOOL_BACKLOG_LIMIT
    this.toolStallMs = opts.toolStallMs ?? TOOL_STALL_MS
    this.hasHostFanout = opts.fanoutToHost ?? true
  }

  /** The host that owns the pipe now, if any. */
  get currentHost(): RegisteredHost | undefined {
    return this.host?.registered
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
    if (this.unregistered.size >= this.maxUnregistered) {
      this.log.warn(
        `[ipc] ${conn.description}: ${this.unregistered.size} connections not registered yet; refusing`,
      )
      return conn.close()
    }
    const client = new Client(conn)
    this.unregistered.add(client)
    client.registerTimer = this.clock.setTimeout(
      () => this.fail(client, 'not_registered', `no \`register\` within ${this.registerTimeoutMs} ms`, true),
      this.registerTimeoutMs,
    )
    conn.onFrame((frame) => this.onFrame(client, frame))
    conn.onTooLarge((bytes) =>
      this.fail(client, 'frame_too_large', `frame of ${bytes}+ bytes exceeds ${MAX_FRAME_BYTES} bytes`, true),
    )
    conn.onClose((reason) => this.drop(client, reason))
  }

  /** Sends an event to every tool, and to the current host unless `fanoutToHost` is off. */
  broadcast(e: Event): void {
    if (this.tools.size > 0) {
      const line = encodeEvent(e)
      for (const tool of this.tools) this.sendToTool(tool, line)
    }
    const host = this.host
    if (this.hasHostFanout && host?.isFanoutActive) {
      this.opts.hostPipe.sendEventForSession(host.sessionId, e).catch((err: unknown) => {
        if (err instanceof HostPipeError && err.code === 'STALE_SESSION') host.isFanoutActive = false
        else this.log.debug(`[ipc] event fanout to host failed: ${String(err)}`)
      })
    }
  }

  /**
   * Closes the current host's connection (the polite stop: a host exits when its connection
   * closes). HostPipe is disconnected before this returns. Idempotent.
   */
  disconnectHost(reason: string): void {
    if (this.host) this.drop(this.host, reason)
  }

  /** Closes every connection and clears the timers. Callbacks are not called from here on. */
  dispose(): void {
    if (this.isDisposed) return
    this.isDisposed = true
    for (const client of [...this.unregistered, ...this.tools]) this.drop(client, 'disposed')
    if (this.host) this.drop(this.host, 'disposed')
  }

  // ---------------------------------------------------------------------------------------------

  private onFrame(client: Client, frame: string | Uint8Array): void {
    if (client.state === 'closed' || client.state === 'replaced') return
    const parsed = parseHostInbound(frame)
    if (!parsed.ok) {
      const isFatal = parsed.code === 'frame_too_large' || client.state === 'unregistered'
      return this.fail(client, parsed.code, parsed.message, isFatal)
    }
    const msg = parsed.frame
    if (client.state === 'unregistered') {
      if (msg.cmd !== 'register')
        return this.fail(client, 'not_registered', `\`register\` must come first, got \`${msg.cmd}\``, true)
      if (!this.isTokenValid(msg.kind, msg.token))
        return this.fail(
          client,
          'unauthorized',
          msg.kind === 'host'
            ? "`token` does not match this launch's host token (HOSTPIPE_TOKEN)"
            : "`token` does not match this launch's API token (the one in the Diagnostics URL)",
          true,
        )
      return this.register(client, msg)
    }
    this.onRegisteredFrame(client, msg)
  }

  private onRegisteredFrame(client: Client, msg: HostInbound): void {
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
        return this.drop(client, 'goodbye')
    }
    if (client.state !== 'host')
      return this.fail(
        client,
        'invalid_command',
        `a tool may only send ping and goodbye, got \`${msg.cmd}\``,
        false,
      )
    switch (msg.cmd) {
      case 'ack':
        return this.opts.hostPipe.ack(msg.seq)
      case 'report_ui_thread_alive':
        return this.callback('onUiThreadAlive', () => this.opts.onUiThreadAlive?.(msg.nonce))
      default:
        return this.callback('onReport', () => this.opts.onReport?.(msg))
    }
  }

  private register(client: Client, msg: Register): void {
    this.unregistered.delete(client)
    this.clock.clearTimeout(client.registerTimer)
    client.clientId = ++this.lastClientId
    client.pid = msg.pid
    const registered = (): Event => ({
      event: 'registered',
      client_id: client.clientId,
      launcher_pid: this.opts.launcherPid ?? process.pid,
      launcher_version: this.opts.launcherVersion,
      version: this.opts.nextVersion(),
    })
    if (msg.kind === 'tool') {
      client.state = 'tool'
      this.tools.add(client)
      this.log.info(
        `[ipc] tool registered: client ${client.clientId}, pid ${msg.pid} (${client.conn.description})`,
      )
      return this.send(client, registered())
    }
    client.state = 'host'
    // Before setWriter: the drain writes buffered commands at once, and `registered` goes first.
    this.send(client, registered())
    const previous = this.host
    const drained = this.opts.hostPipe.setWriter(
      { write: (line) => client.conn.send(line) },
      { acks: msg.features.includes('ack') },
    )
    // setWriter bumps the session synchronously; the promise only settles once the drain is done.
    client.sessionId = this.opts.hostPipe.snapshot().sessionId
    client.isFanoutActive = true
    this.host = client
    drained.catch((err: unknown) => this.log.warn(`[ipc] setWriter failed: ${String(err)}`))
    this.log.info(
      `[ipc] host registered: client ${client.clientId}, pid ${msg.pid}, session ${client.sessionId}, ` +
        `acks ${msg.features.includes('ack')} (${client.conn.description})`,
    )
    if (previous) {
      // Its acks and reports no longer count: they belong to a session that is over.
      previous.state = 'replaced'
      previous.isFanoutActive = false
      this.log.info(`[ipc] host client ${previous.clientId} replaced by client ${client.clientId}`)
      previous.conn.close()
    }
    this.callback('onHostRegistered', () => this.opts.onHostRegistered?.(client.registered))
  }

  /** Each kind has its own secret: the other one is refused like any wrong token. */
  private isTokenValid(kind: Register['kind'], token: string): boolean {
    // Digests have equal length whatever was sent, so the comparison is constant-time.
    return timingSafeEqual(kind === 'host' ? this.hostTokenDigest : this.apiTokenDigest, sha256(token))
  }

  private fail(client: Client, code: ErrorCode, message: string, isFatal: boolean): void {
    if (client.state === 'closed') return
    const who = client.clientId ? `client ${client.clientId}` : 'unregistered client'
    const line = `[ipc] ${who} (${client.conn.description}): ${code}: ${message}`
    if (isFatal) this.log.warn(line + '; closing')
    else this.log.debug(line)
    this.send(client, { event: 'error', code, message, fatal: isFatal, version: 0 })
    // The connection flushes the error before it closes.
    if (isFatal) this.drop(client, code)
  }

  private send(client: Client, e: Event): void {
    // A failed send surfaces as the connection closing; nothing to do here.
    client.conn.send(encodeEvent(e)).catch(() => undefined)
  }

  /**
   * The backlog counts sends the transport has not taken yet. It is not judged at send time: the
   * launcher emits whole storms of events in one tick (a burst of thousands of sagas, a host gone
   * with a thousand commands in flight), and no transport takes any of them before the tick ends,
   * so a tool that reads perfectly well would be cut off. A tool at its limit is cut off only when
   * it then takes nothing for `toolStallMs`; meanwhile the transport's own byte cap bounds memory.
   */
  private sendToTool(tool: Client, line: string): void {
    tool.backlog++
    tool.conn.send(line).then(
      () => {
        tool.backlog--
        tool.taken++
      },
      () => undefined,
    )
    if (tool.backlog >= this.toolBacklogLimit && !tool.stallCheck) this.armStallCheck(tool)
  }

  private armStallCheck(tool: Client): void {
    const takenWhenArmed = tool.taken
    const timer = this.clock.setTimeout(() => {
      tool.stallCheck = undefined
      if (tool.state !== 'tool' || tool.backlog < this.toolBacklogLimit) return
      if (tool.taken !== takenWhenArmed) return this.armStallCheck(tool)
      this.log.warn(
        `[ipc] tool client ${tool.clientId} took none of its ${tool.backlog} unread events ` +
          `in ${this.toolStallMs} ms; cutting it off`,
      )
      this.drop(tool, 'too slow')
    }, this.toolStallMs)
    tool.stallCheck = { timer, takenWhenArmed }
  }

  /** Forgets a client and closes its connection. Idempotent; the only place a client ends. */
  private drop(client: Client, reason: string): void {
    if (client.state === 'closed') return
    const wasHost = this.host === client
    client.state = 'closed'
    this.clock.clearTimeout(client.registerTimer)
    if (client.stallCheck) this.clock.clearTimeout(client.stallCheck.timer)
    client.stallCheck = undefined
    this.unregistered.delete(client)
    this.tools.delete(client)
    client.conn.close()
    if (!wasHost) return
    this.host = undefined
    this.opts.hostPipe.clearWriter()
    this.log.info(`[ipc] host client ${client.clientId} (pid ${client.pid}) gone: ${reason}`)
    if (!this.isDisposed)
      this.callback('onHostGone', () => this.opts.onHostGone?.({ ...client.registered, reason }))
  }

  private callback(name: string, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.log.error(`[ipc] ${name} callback threw: ${String(err)}`)
    }
  }
}
