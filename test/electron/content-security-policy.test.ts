import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { PANEL_CSP, withPanelCsp } from '../../src/main/electron/content-security-policy'

const directives = new Map(
  PANEL_CSP.split(';').map((d) => {
    const [name = '', ...values] = d.trim().split(/\s+/)
    return [name, values.join(' ')] as const
  }),
)

describe('the panel content security policy', () => {
  it('allows only the panel’s own scripts, styles and connections', () => {
    expect(directives.get('default-src')).toBe("'self'")
    expect(directives.get('script-src')).toBe("'self'")
    expect(directives.get('style-src')).toBe("'self'")
    expect(directives.get('connect-src')).toBe("'self'")
  })

  it('forbids plugins, base rewriting and being framed', () => {
    expect(directives.get('object-src')).toBe("'none'")
    expect(directives.get('base-uri')).toBe("'none'")
    expect(directives.get('frame-ancestors')).toBe("'none'")
  })

  it('is the same policy in the renderer’s meta tag, but for frame-ancestors, which a meta tag cannot carry', () => {
    const html = readFileSync('src/renderer/index.html', 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    expect(meta).toBe(PANEL_CSP.replace(/; frame-ancestors 'none'$/, ''))
  })

  it('never allows inline or evaluated script', () => {
    expect(PANEL_CSP).not.toContain('unsafe-inline')
    expect(PANEL_CSP).not.toContain('unsafe-eval')
  })

  it('replaces a server’s CSP header whatever its case, keeping other headers', () => {
    const headers = withPanelCsp({
      'content-security-policy': ['default-src *'],
      'Content-Type': 'text/html',
    })
    expect(headers['Content-Security-Policy']).toEqual([PANEL_CSP])
    expect(headers['content-security-policy']).toBeUndefined()
    expect(headers['Content-Type']).toEqual(['text/html'])
  })

  it('adds the header to a response that had no headers', () => {
    expect(withPanelCsp(undefined)).toEqual({ 'Content-Security-Policy': [PANEL_CSP] })
  })
})
