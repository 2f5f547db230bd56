/**
 * The diagnostics panel's Content-Security-Policy, one definition for every place that serves it:
 * the Electron window's session, the headless HTTP server, and (minus `frame-ancestors`, which a
 * meta tag cannot carry) the meta tag in src/renderer/index.html. The panel loads only its own
 * bundle and talks only to its own origin. uPlot styles its elements through the CSSOM, which CSP
 * does not restrict, so no 'unsafe-inline' is needed.
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
