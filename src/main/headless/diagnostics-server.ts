import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import {
  ACTION_DEADLINE_HEADER,
  type ActionBody,
  type ActionResult,
  type DiagnosticsAction,
} from '../../shared/diagnostics'
import type { Event } from '../../shared/protocol'
import { silentLogger, type Logger } from '../base/logger'
import {
  actionNotAllowed,
  isDiagnosticsAction,
  parseAllowedActions,
  parseBurstCount,
  parseHostSlot,
  withAllowedActions,
} from '../launcher/diagnostics-actions'
import type { DiagnosticsSource } from '../launcher/diagnostics-source'
import { sendError, sendJson } from './http-responses'
import { tokensEqual } from '../ipc/secret-token'
import { isAllowedHost, isAllowedOrigin, presentedTokens } from './request-guards'
import { SseStream } from './sse-stream'
import { StaticFiles } from './static-files'

/** The loopback interface only: the panel is for the user at this machine. */
export const DIAGNOSTICS_HOST = '127.0.0.1'
/** The built renderer, relative to the working directory. */
export const DEFAULT_STATIC_DIR = 'out/renderer'
/** Action bodies are tiny (`{"count":N}`, `{"slot":N}`); anything bigger is refused. */
export const MAX_BODY_BYTES = 16 * 1024

export interface DiagnosticsServerOptions {
  source: DiagnosticsSource
  /** The per-launch secret every `/api/*` request must present. */
  token: string
  /** Default 0: any free port (`listen()` resolves the one chosen). */
  port?: number
  /** Default DEFAULT_STATIC_DIR, resolved against the working directory. */
  staticDir?: string
  /**
   * The panel actions the app allows; default none: the panel hides their buttons and
   * `POST /api/actions/*` answers 403. Snapshots carry the list as `actions`.
   */
  actions?: readonly DiagnosticsAction[]
  /** The launcher's events, streamed as SSE `event: event` messages. */
  subscribeEvents?: (fn: (e: Event) => void) => () => void
  heartbeatMs?: number
  maxBodyBytes?: number
  /** Wall clock for action deadlines (ACTION_DEADLINE_HEADER); default Date.now. */
  now?: () => number
  log?: Logger
}

/** The public function that takes this server's options, named in refusals. */
const FRONT_END = 'startDiagnosticsServer'
/** What `/api/*` answers (503) once the launcher has stopped. */
export const LAUNCHER_GONE = 'the launcher has stopped: this panel has nothing more to show'

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The headless diagnostics server (node:http, no framework): the panel's static files without a
 * token, and the token-protected API: `GET /api/snapshot`, `GET /api/events` (SSE),
 * `POST /api/actions/{kill-host|stop-host|start-host|burst}` (403 unless listed in `actions`;
 * `kill-host` takes an optional `{"slot":N}`, default 0, and answers 404 for a slot with no host).
 * Every request must name our own loopback authority in `Host` and, if it has an `Origin`, come
 * from our own origin. Once the launcher stops, its event streams end and the API answers 503.
 */
export class DiagnosticsServer {
  private readonly opts: DiagnosticsServerOptions
  private readonly source: DiagnosticsSource
  private readonly allowed: readonly DiagnosticsAction[]
  private readonly stopWatchingLauncher: () => void
  /** The launcher stopped: its feed has ended, and the API says so. */
  private isLauncherGone = false
  private readonly files: StaticFiles
  private readonly maxBodyBytes: number
  private readonly log: Logger
  private readonly server: Server
  private readonly streams = new Set<SseStream>()
  private boundPort = 0

  constructor(opts: DiagnosticsServerOptions) {
    if (opts.token.length === 0) throw new RangeError('the diagnostics token must not be empty')
    this.opts = opts
    this.allowed = parseAllowedActions(opts.actions, FRONT_END)
    this.source = withAllowedActions(opts.source, this.allowed, FRONT_END)
    this.stopWatchingLauncher = this.source.onDidEnd?.(() => this.onLauncherGone()) ?? (() => undefined)
    this.files = new StaticFiles(resolve(opts.staticDir ?? DEFAULT_STATIC_DIR))
    this.maxBodyBytes = opts.maxBodyBytes ?? MAX_BODY_BYTES
    this.log = opts.log ?? silentLogger
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.onHandlerError(res, err))
    })
  }

  /** Binds 127.0.0.1 and resolves the port (the actual one when asked for 0). */
  listen(): Promise<number> {
    return new Promise((resolvePort, reject) => {
      const onError = (err: Error) => reject(err)
      this.server.once('error', onError)
      this.server.listen({ host: DIAGNOSTICS_HOST, port: this.opts.port ?? 0 }, () => {
        this.server.off('error', onError)
        this.boundPort = (this.server.address() as AddressInfo).port
        this.log.info(`[diagnostics] serving on http://${DIAGNOSTICS_HOST}:${this.boundPort}/`)
        resolvePort(this.boundPort)
      })
    })
  }

  get port(): number {
    return this.boundPort
  }

  /** The panel's address with the token, as printed on the `Diagnostics:` line. */
  get url(): string {
    return `http://${DIAGNOSTICS_HOST}:${this.boundPort}/?token=${encodeURIComponent(this.opts.token)}`
  }

  /** Ends every event stream and closes the server. Idempotent. */
  close(): Promise<void> {
    this.stopWatchingLauncher()
    for (const stream of [...this.streams]) stream.close()
    return new Promise((done) => {
      if (!this.server.listening) return done()
      this.server.close(() => done())
      this.server.closeAllConnections()
    })
  }

  // ---------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isAllowedHost(req.headers.host, this.boundPort))
      return sendError(
        res,
        421,
        `Host must be ${DIAGNOSTICS_HOST}:${this.boundPort} or localhost:${this.boundPort}`,
      )
    if (!isAllowedOrigin(req.headers.origin, this.boundPort))
      return sendError(res, 403, 'cross-origin requests are refused')
    // Split by hand: `new URL('//evil/x', base)` would read the path as an authority.
    const target = req.url ?? '/'
    const q = target.indexOf('?')
    const path = q === -1 ? target : target.slice(0, q)
    const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1))

    if (path === '/api' || path.startsWith('/api/')) return this.handleApi(req, res, path, query)
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendError(res, 405, `${req.method ?? '?'} is not allowed here`, { Allow: 'GET, HEAD' })
    return this.files.serve(req, res, path)
  }

  private async handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const tokens = presentedTokens(req.headers, query)
    if (!tokens.some((t) => tokensEqual(t, this.opts.token)))
      return sendError(
        res,
        401,
        tokens.length === 0 ? 'missing token (use ?token= or Authorization: Bearer)' : 'wrong token',
        { 'WWW-Authenticate': 'Bearer' },
      )
    if (this.isLauncherGone) return sendError(res, 503, LAUNCHER_GONE)

    if (path === '/api/snapshot') {
      if (req.method !== 'GET') return sendError(res, 405, 'use GET', { Allow: 'GET' })
      return sendJson(res, 200, this.source.snapshot())
    }
    if (path === '/api/events') {
      if (req.method !== 'GET') return sendError(res, 405, 'use GET', { Allow: 'GET' })
      return this.openEventStream(res)
    }
    const action = /^\/api\/actions\/([^/]+)$/.exec(path)?.[1]
    if (action !== undefined) return this.handleAction(req, res, action)
    return sendError(res, 404, `no API route ${path}`)
  }

  private async handleAction(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (!isDiagnosticsAction(name))
      return sendError(
        res,
        404,
        `unknown action ${JSON.stringify(name)}; expected kill-host, stop-host, start-host or burst`,
      )
    if (!this.allowed.includes(name)) return sendError(res, 403, actionNotAllowed(name, FRONT_END))
    if (req.method !== 'POST') return sendError(res, 405, 'use POST', { Allow: 'POST' })
    const deadline = parseDeadline(req.headers[ACTION_DEADLINE_HEADER.toLowerCase()])
    if (!deadline.ok) return sendError(res, 400, deadline.error)
    const body = await this.readJsonObject(req)
    const action: DiagnosticsAction = name
    if (action === 'burst') {
      const count = parseBurstCount(body.count)
      if (!count.ok) return sendError(res, 400, count.error)
    }
    if (action === 'kill-host') {
      const slot = parseHostSlot(body.slot)
      if (!slot.ok) return sendError(res, 400, slot.error)
    }
    // Checked last, right before running: the panel has given up on it by now, so running it
    // would be a destructive action delivered late.
    const lateByMs = deadline.at === undefined ? 0 : (this.opts.now ?? Date.now)() - deadline.at
    if (lateByMs > 0)
      return sendError(res, 409, `${action} arrived ${lateByMs} ms after its deadline; not run`)
    const result = await this.source.act(action, body)
    if (result.ok) return sendJson(res, 202, result)
    return sendError(res, refusalStatus(result), result.error)
  }

  /** The request body as a JSON object; an empty body is `{}`. */
  private async readJsonObject(req: IncomingMessage): Promise<ActionBody> {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > this.maxBodyBytes) throw new HttpError(413, `body exceeds ${this.maxBodyBytes} bytes`)
    const raw = await this.readBody(req)
    const text = raw.toString('utf8').trim()
    if (text === '') return {}
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new HttpError(400, 'body is not valid JSON')
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new HttpError(400, 'body must be a JSON object')
    return value as ActionBody
  }

  /**
   * Reads at most `maxBodyBytes`. Past that it stops keeping data (the client may still be
   * sending; the 413 closes the connection) rather than destroying the request, which would take
   * the socket, and the 413 with it.
   */
  private readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolveBody, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      let isRefused = false
      req.on('data', (chunk: Buffer) => {
        if (isRefused) return
        size += chunk.length
        if (size > this.maxBodyBytes) {
          isRefused = true
          reject(new HttpError(413, `body exceeds ${this.maxBodyBytes} bytes`))
          return
        }
        chunks.push(chunk)
      })
      req.on('end', () => resolveBody(Buffer.concat(chunks)))
      req.on('error', reject)
    })
  }

  private openEventStream(res: ServerResponse): void {
    const stream = new SseStream(res, { heartbeatMs: this.opts.heartbeatMs })
    this.streams.add(stream)
    stream.sendLatest('snapshot', this.source.snapshot())
    const unsubscribe = [this.source.subscribe((s) => stream.sendLatest('snapshot', s))]
    if (this.opts.subscribeEvents) unsubscribe.push(this.opts.subscribeEvents((e) => stream.send('event', e)))
    stream.onClose(() => {
      this.streams.delete(stream)
      for (const off of unsubscribe) off()
    })
  }

  /** Ends every event stream: a panel then finds the API answering 503 and says the launcher is gone. */
  private onLauncherGone(): void {
    this.isLauncherGone = true
    for (const stream of [...this.streams]) stream.close()
  }

  private onHandlerError(res: ServerResponse, err: unknown): void {
    const status = err instanceof HttpError ? err.status : 500
    if (status === 500)
      this.log.error(`[diagnostics] request failed: ${err instanceof Error ? err.stack : String(err)}`)
    if (res.headersSent) {
      res.destroy()
      return
    }
    const message = err instanceof HttpError ? err.message : 'internal error'
    // After a refused upload the rest of the body is not read: the connection cannot be reused.
    sendError(res, status, message, status === 413 ? { Connection: 'close' } : {})
  }
}

/** A refused action's status: 400 for a bad body, 404 for a slot with no host, else 409. */
function refusalStatus(result: Extract<ActionResult, { ok: false }>): number {
  if (result.code === 'BAD_REQUEST') return 400
  if (result.code === 'NO_SUCH_HOST') return 404
  return 409
}

/** The optional action deadline header: absent, or an integer epoch-ms timestamp. */
function parseDeadline(
  raw: string | string[] | undefined,
): { ok: true; at: number | undefined } | { ok: false; error: string } {
  if (raw === undefined) return { ok: true, at: undefined }
  const text = Array.isArray(raw) ? raw.join(',') : raw
  const at = /^\d{1,16}$/.test(text.trim()) ? Number(text.trim()) : NaN
  if (!Number.isSafeInteger(at))
    return {
      ok: false,
      error: `${ACTION_DEADLINE_HEADER} must be an integer time in ms since the epoch, got ${JSON.stringify(text.slice(0, 40))}`,
    }
  return { ok: true, at }
}
