import { PANEL_CSP } from '../../shared/panel-csp'

export { PANEL_CSP, PANEL_CSP_DIRECTIVES } from '../../shared/panel-csp'

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
