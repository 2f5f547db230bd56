import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PANEL_CSP, PANEL_CSP_DIRECTIVES } from '../../src/main/electron/content-security-policy'
import { diagnosticsWindowOptions } from '../../src/main/electron/window-options'
import { SECURITY_HEADERS } from '../../src/main/headless/http-responses'

/** Every TypeScript source file under src/, with its text. */
function sources(dir = 'src'): Array<{ path: string; text: string }> {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => {
      const path = join(e.parentPath, e.name)
      return { path: relative('.', path), text: readFileSync(path, 'utf8') }
    })
}

/**
 * The diagnostics window, read from the pure exports of src/main/electron (no Electron binary
 * needed). test/electron/window-options.test.ts and content-security-policy.test.ts hold the
 * details; these are the properties the threat model in SECURITY.md relies on, and the facts
 * behind the Electronegativity findings SECURITY.md accepts as false positives.
 */
describe('the diagnostics window', () => {
  it('isolates its page, sandboxes it and gives it no Node', () => {
    const { webPreferences } = diagnosticsWindowOptions({ preloadPath: '/app/out/preload/index.cjs' })
    expect(webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false })
  })

  it('is the only kind of window: every BrowserWindow in src is built from diagnosticsWindowOptions', () => {
    const constructions = sources().flatMap(({ path, text }) =>
      [...text.matchAll(/new\s+(BrowserWindow|BrowserView|WebContentsView)\s*\(([^)]*)/g)].map((m) => ({
        path,
        what: m[1],
        args: m[2]!.trim(),
      })),
    )
    expect(constructions).toEqual([
      {
        path: join('src', 'main', 'electron', 'diagnostics-window.ts'),
        what: 'BrowserWindow',
        args: expect.stringMatching(/^diagnosticsWindowOptions\(/),
      },
    ])
  })

  it('has no web preference anywhere in src that weakens it', () => {
    const weakening =
      /\b(nodeIntegration(InWorker|InSubFrames)?\s*:\s*true|contextIsolation\s*:\s*false|sandbox\s*:\s*false|webSecurity\s*:\s*false|allowRunningInsecureContent\s*:\s*true|webviewTag\s*:\s*true|experimentalFeatures\s*:\s*true|enableBlinkFeatures|enableRemoteModule)/
    expect(
      sources()
        .filter(({ text }) => weakening.test(text))
        .map((s) => s.path),
    ).toEqual([])
  })

  it('loads a CSP whose every source is the panel itself or nothing: no inline or evaluated script, no remote origin', () => {
    for (const [directive, value] of Object.entries(PANEL_CSP_DIRECTIVES))
      for (const source of value.split(/\s+/))
        expect([directive, source]).toEqual([directive, expect.stringMatching(/^'(self|none)'$/)])
    expect(PANEL_CSP_DIRECTIVES).toMatchObject({
      'default-src': "'self'",
      'object-src': "'none'",
      'frame-ancestors': "'none'",
    })
    expect(PANEL_CSP).not.toMatch(/unsafe-|data:|blob:|\*|https?:|wss?:/)
  })

  it('renders what the host chose (labels, failure reasons) as text: the panel never parses HTML', () => {
    const htmlSinks =
      /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser/
    expect(
      sources('src/renderer')
        .filter(({ text }) => htmlSinks.test(text))
        .map((s) => s.path),
    ).toEqual([])
  })

  it('gets the same CSP from the headless server as from the Electron session', () => {
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(PANEL_CSP)
  })
})
