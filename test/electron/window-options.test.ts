import { describe, expect, it } from 'vitest'
import {
  DEFAULT_WINDOW_SIZE,
  diagnosticsWindowOptions,
  MIN_WINDOW_SIZE,
  PANEL_PARTITION,
} from '../../src/main/electron/window-options'

describe('the diagnostics window options', () => {
  it('isolate and sandbox the panel, with no Node and web security on', () => {
    const { webPreferences } = diagnosticsWindowOptions({ preloadPath: '/app/out/preload/index.cjs' })
    expect(webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      partition: PANEL_PARTITION,
    })
  })

  it('use the default size without saved bounds and never go below 800×600', () => {
    const options = diagnosticsWindowOptions({ preloadPath: 'p' })
    expect(options).toMatchObject(DEFAULT_WINDOW_SIZE)
    expect(options.x).toBeUndefined()
    expect(options.minWidth).toBe(MIN_WINDOW_SIZE.width)
    expect(options.minHeight).toBe(MIN_WINDOW_SIZE.height)
  })

  it('restore saved bounds', () => {
    const bounds = { x: 10, y: 20, width: 900, height: 700 }
    expect(diagnosticsWindowOptions({ preloadPath: 'p', bounds })).toMatchObject(bounds)
  })

  it('stay hidden until the page is ready to show', () => {
    expect(diagnosticsWindowOptions({ preloadPath: 'p' }).show).toBe(false)
  })
})
