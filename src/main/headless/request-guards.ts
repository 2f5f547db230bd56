import type { IncomingHttpHeaders } from 'node:http'

/**
 * DNS rebinding: a hostile page can make its own name resolve to 127.0.0.1, but its requests
 * still carry its name in `Host`. Only our own loopback authority is accepted.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false
  const h = host.toLowerCase()
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`
}

/**
 * Browsers send `Origin` on cross-origin requests (and on every POST): only the panel's own
 * origin may call the API. No `Origin` at all is a non-browser client (curl, tests): fine.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true
  const o = origin.toLowerCase()
  return o === `http://127.0.0.1:${port}` || o === `http://localhost:${port}`
}

/** The tokens a request presents: `Authorization: Bearer …` and `?token=…`. */
export function presentedTokens(headers: IncomingHttpHeaders, query: URLSearchParams): string[] {
  const tokens: string[] = []
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')
  if (match) tokens.push(match[1]!)
  const fromQuery = query.get('token')
  if (fromQuery) tokens.push(fromQuery)
  return tokens
}
