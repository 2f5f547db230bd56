import { ACTION_DEADLINE_HEADER, type ActionResult, type DiagnosticsAction } from '../shared/diagnostics'
import { actionResultFrom, API_PATHS, apiUrl, authHeaders, reconnectDelayMs } from './api-client'
import type { PanelSource, PanelSourceHandlers } from './panel-source'
import { isDiagnosticsSnapshot, parseSnapshotMessage } from './snapshot-guard'

/** The part of fetch's Response the source reads. */
export interface ResponseLike {
  readonly status: number
  json(): Promise<unknown>
}
export type FetchLike = (
  url: string,
  init: {
    method: 'GET' | 'POST'
    headers: Record<string, string>
    body?: string
    cache?: 'no-store'
    signal?: AbortSignal
  },
) => Promise<ResponseLike>

/** How long an action may take to be answered before the panel gives it up (and says so). */
export const ACTION_TIMEOUT_MS = 3000

/** The part of EventSource the source uses. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (e: { data?: unknown }) => void): void
  close(): void
}

export interface HttpSourceDeps {
  /** The page's origin; the API lives at `/api/*` on it. */
  origin: string
  token: string
  fetch: FetchLike
  openEventSource(url: string): EventSourceLike
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /** Default ACTION_TIMEOUT_MS. */
  actionTimeoutMs?: number
  /** Wall clock for the action deadline; default Date.now. */
  now?: () => number
}

class Unauthorized extends Error {}

/**
 * The panel's data in a browser: the headless launcher's HTTP API. Loads `/api/snapshot`, then
 * follows `/api/events` (SSE) for its `snapshot` messages. The stream's `event` messages (every
 * launcher Event, a flood during a burst) are not used: each snapshot's event ring already holds
 * the ones worth showing, folded, the same as Electron gets. When the stream drops it closes it and starts over with a fresh
 * snapshot after a growing delay; that fresh GET is also how a 401 is noticed, since
 * EventSource cannot see status codes. When that GET fails too (no answer, or an error such as
 * the 503 of a stopped launcher) the status is `gone` until the API answers again.
 */
export class HttpSource implements PanelSource {
  readonly kind = 'http'
  private handlers: PanelSourceHandlers | undefined
  private stream: EventSourceLike | undefined
  private retryTimer: unknown
  private attempt = 0
  private disposed = false
  private hasConnected = false
  /** The API did not answer the last snapshot request: the launcher is gone (or its server). */
  private isGone = false

  constructor(private readonly deps: HttpSourceDeps) {}

  start(handlers: PanelSourceHandlers): void {
    this.handlers = handlers
    void this.connect()
  }

  /**
   * Sends an action, with a deadline: a destructive action delivered late (a kill-host click that
   * waited for a free connection) is worse than one that fails. The request is aborted after
   * `actionTimeoutMs` (a request the browser has not sent yet is then never sent) and carries the
   * same moment in ACTION_DEADLINE_HEADER, so the launcher refuses it if it arrives later anyway.
   */
  async act(action: DiagnosticsAction, count?: number): Promise<ActionResult> {
    const { origin, token, fetch } = this.deps
    const body = action === 'burst' ? JSON.stringify({ count }) : undefined
    const timeoutMs = this.deps.actionTimeoutMs ?? ACTION_TIMEOUT_MS
    const deadline = (this.deps.now ?? Date.now)() + timeoutMs
    const abort = new AbortController()
    const timer = this.deps.setTimeout(() => abort.abort(), timeoutMs)
    let res: ResponseLike
    try {
      res = await fetch(apiUrl(origin, API_PATHS.action(action)), {
        method: 'POST',
        headers: { ...authHeaders(token, body !== undefined), [ACTION_DEADLINE_HEADER]: String(deadline) },
        ...(body !== undefined ? { body } : {}),
        signal: abort.signal,
      })
    } catch (err) {
      if (abort.signal.aborted)
        return {
          ok: false,
          error: `no answer within ${timeoutMs} ms; given up (the launcher runs no action that reaches it later)`,
        }
      return { ok: false, error: `network error: ${err instanceof Error ? err.message : String(err)}` }
    } finally {
      this.deps.clearTimeout(timer)
    }
    if (res.status === 401) {
      this.failUnauthorized()
      return { ok: false, error: 'unauthorized' }
    }
    return actionResultFrom(action, res.status, await res.json().catch(() => undefined))
  }

  dispose(): void {
    this.disposed = true
    this.closeStream()
    if (this.retryTimer !== undefined) this.deps.clearTimeout(this.retryTimer)
    this.retryTimer = undefined
  }

  private async connect(): Promise<void> {
    if (this.disposed) return
    const handlers = this.handlers
    if (!handlers) return
    if (!this.isGone) handlers.status(this.hasConnected ? 'reconnecting' : 'connecting')
    try {
      handlers.snapshot(await this.fetchSnapshot())
      this.hasConnected = true
    } catch (err) {
      if (err instanceof Unauthorized) return this.failUnauthorized()
      if (this.disposed) return
      if (!this.isGone) {
        this.isGone = true
        handlers.status('gone')
      }
      this.scheduleReconnect()
      return
    }
    if (this.isGone && !this.disposed) {
      // It answers again (a launcher behind the same address): live once the stream opens.
      this.isGone = false
      handlers.status('reconnecting')
    }
    if (this.disposed) return
    this.openStream(handlers)
  }

  private async fetchSnapshot(): Promise<Parameters<PanelSourceHandlers['snapshot']>[0]> {
    const { origin, token, fetch } = this.deps
    const res = await fetch(apiUrl(origin, API_PATHS.snapshot), {
      method: 'GET',
      headers: authHeaders(token),
      cache: 'no-store',
    })
    if (res.status === 401) throw new Unauthorized()
    if (res.status !== 200) throw new Error(`GET ${API_PATHS.snapshot}: HTTP ${res.status}`)
    const body = await res.json()
    if (!isDiagnosticsSnapshot(body)) throw new Error(`GET ${API_PATHS.snapshot}: not a snapshot`)
    return body
  }

  private openStream(handlers: PanelSourceHandlers): void {
    const { origin, token } = this.deps
    const stream = this.deps.openEventSource(apiUrl(origin, API_PATHS.events, token))
    this.stream = stream
    stream.addEventListener('open', () => {
      if (this.stream !== stream) return
      this.attempt = 0
      handlers.status('live')
    })
    stream.addEventListener('snapshot', (e) => {
      if (this.stream !== stream || typeof e.data !== 'string') return
      const snapshot = parseSnapshotMessage(e.data)
      if (snapshot) handlers.snapshot(snapshot)
    })
    stream.addEventListener('error', () => {
      if (this.stream !== stream) return
      // EventSource retries some failures by itself and gives up on others; owning the retry
      // makes both cases the same, and lets the snapshot GET notice a 401.
      this.closeStream()
      this.scheduleReconnect()
    })
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.retryTimer !== undefined) return
    if (!this.isGone) this.handlers?.status('reconnecting')
    const delay = reconnectDelayMs(this.attempt++)
    this.retryTimer = this.deps.setTimeout(() => {
      this.retryTimer = undefined
      void this.connect()
    }, delay)
  }

  private closeStream(): void {
    this.stream?.close()
    this.stream = undefined
  }

  private failUnauthorized(): void {
    if (this.disposed) return
    const handlers = this.handlers
    this.dispose()
    handlers?.unauthorized()
  }
}
