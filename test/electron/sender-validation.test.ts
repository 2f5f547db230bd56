import { describe, expect, it } from 'vitest'
import { resolvePanelLocation } from '../../src/main/electron/panel-location'
import { isPanelUrl } from '../../src/main/electron/sender-validation'

const filePanel = resolvePanelLocation('/app/out/main', {}, true)
const devPanel = resolvePanelLocation(
  '/app/out/main',
  { ELECTRON_RENDERER_URL: 'http://localhost:5173' },
  false,
)

describe('resolving where the panel is loaded from', () => {
  it('uses the built index.html next to out/main when packaged, even with a dev-server URL set', () => {
    const packaged = resolvePanelLocation(
      '/app/out/main',
      { ELECTRON_RENDERER_URL: 'http://localhost:5173' },
      true,
    )
    expect(packaged).toEqual({
      kind: 'file',
      path: '/app/out/renderer/index.html',
      url: 'file:///app/out/renderer/index.html',
    })
  })

  it('uses the electron-vite dev server when it is running', () => {
    expect(devPanel).toEqual({ kind: 'dev-server', url: 'http://localhost:5173' })
  })

  it('ignores a dev-server URL that is not http(s)', () => {
    expect(
      resolvePanelLocation('/a/main', { ELECTRON_RENDERER_URL: 'javascript:alert(1)' }, false).kind,
    ).toBe('file')
  })
})

describe('validating an IPC sender', () => {
  it('accepts the panel file, with or without a query or hash', () => {
    expect(isPanelUrl('file:///app/out/renderer/index.html', filePanel)).toBe(true)
    expect(isPanelUrl('file:///app/out/renderer/index.html?x=1#top', filePanel)).toBe(true)
  })

  it('refuses any other file, including one next to the panel', () => {
    expect(isPanelUrl('file:///app/out/renderer/other.html', filePanel)).toBe(false)
    expect(isPanelUrl('file:///etc/passwd', filePanel)).toBe(false)
    expect(isPanelUrl('file:///app/out/renderer/index.html/../x.html', filePanel)).toBe(false)
  })

  it('refuses web pages when the panel is a file', () => {
    expect(isPanelUrl('https://example.com/app/out/renderer/index.html', filePanel)).toBe(false)
  })

  it('accepts any page of the dev server’s origin and nothing else', () => {
    expect(isPanelUrl('http://localhost:5173/', devPanel)).toBe(true)
    expect(isPanelUrl('http://localhost:5173/index.html?token=1', devPanel)).toBe(true)
    expect(isPanelUrl('http://localhost:5174/', devPanel)).toBe(false)
    expect(isPanelUrl('http://127.0.0.1:5173/', devPanel)).toBe(false)
    expect(isPanelUrl('https://localhost:5173/', devPanel)).toBe(false)
  })

  it('refuses a missing or malformed URL', () => {
    expect(isPanelUrl(undefined, filePanel)).toBe(false)
    expect(isPanelUrl(null, filePanel)).toBe(false)
    expect(isPanelUrl('', filePanel)).toBe(false)
    expect(isPanelUrl('not a url', devPanel)).toBe(false)
    expect(isPanelUrl('about:blank', filePanel)).toBe(false)
  })
})
