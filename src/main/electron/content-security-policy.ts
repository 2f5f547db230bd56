/**
 * The diagnostics panel's Content-Security-Policy. The panel loads only its own bundle and talks
 * only to its own origin (the preload bridge in Electron, `/api/*` in a browser). uPlot styles
 * its elements through the CSSOM, which CSP does not restrict, so no 'unsafe-inline' is needed.
 */
export const PANEL_CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self'",
  'connect-src': "'self'",
  'font-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
}

export const PANEL_CSP = Object.entries(PANEL_CSP_DIRECTIVES)
  .map(([name, value]) => `${name} ${value}`)
  .join('; ')

export type ResponseHeaders = Record<string, string[] | string>

/**
 * The response headers with the panel's CSP in place of any the server sent. Header names are
 * case-insensitive, so a differently cased CSP header is dropped rather than left to widen it.
 */
export function withPanelCsp(headers: ResponseHeaders | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue
    out[name] = Array.isArray(value) ? value : [value]
  }
  out['Content-Security-Policy'] = [PANEL_CSP]
  return out
}
