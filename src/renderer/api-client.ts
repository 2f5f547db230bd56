import type { ActionResult, DiagnosticsAction } from '../shared/diagnostics'

/** What the panel says, instead of itself, when the API refuses the page's token. */
export const UNAUTHORIZED_MESSAGE = "Unauthorized: this link's token is wrong or missing"

export const API_PATHS = {
  snapshot: '/api/snapshot',
  events: '/api/events',
  action: (action: DiagnosticsAction): string => `/api/actions/${action}`,
} as const

/** The per-launch token from the page URL's `?token=`; '' when there is none. */
export function tokenFromSearch(search: string): string {
  return new URLSearchParams(search).get('token')?.trim() ?? ''
}

/**
 * An absolute API URL on the page's own origin. `withToken` puts the token in the query, for
 * EventSource, which cannot send headers.
 */
export function apiUrl(origin: string, path: string, token?: string): string {
  const url = new URL(path, origin)
  if (token) url.searchParams.set('token', token)
  return url.href
}

/** Headers for fetch; no Authorization header at all without a token (the API then answers 401). */
export function authHeaders(token: string, json = false): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (json) headers['Content-Type'] = 'application/json'
  return headers
}

/** An action's HTTP answer as an ActionResult (202 with JSON, or 4xx with `{"error":"…"}`). */
export function actionResultFrom(action: DiagnosticsAction, status: number, body: unknown): ActionResult {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  if (status >= 200 && status < 300) {
    const detail = typeof fields.detail === 'string' ? fields.detail : undefined
    return detail === undefined ? { ok: true, action } : { ok: true, action, detail }
  }
  const error = typeof fields.error === 'string' && fields.error ? fields.error : `HTTP ${status}`
  return { ok: false, error }
}

/** Delay before reconnect attempt `attempt` (0-based): 250 ms doubling to 5 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(5_000, 250 * 2 ** Math.max(0, Math.min(attempt, 10)))
}
