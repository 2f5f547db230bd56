import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron'
import type { WindowBounds } from './window-bounds'

export const DEFAULT_WINDOW_SIZE = { width: 1100, height: 760 } as const
export const MIN_WINDOW_SIZE = { width: 800, height: 600 } as const
/** An in-memory session of its own, so the panel's CSP and permission rules touch nothing else. */
export const PANEL_PARTITION = 'hostpipe-diagnostics'

/**
 * The diagnostics window's options. The panel shows live data from the launcher and nothing
 * else: it gets no Node, runs sandboxed and isolated, and reaches the main process only through
 * the preload bridge.
 */
export function diagnosticsWindowOptions(opts: {
  preloadPath: string
  bounds?: WindowBounds | undefined
  /** A parent window (`openDiagnosticsWindow(launcher, { parent })`); default none. */
  parent?: BrowserWindow | undefined
}): BrowserWindowConstructorOptions {
  return {
    ...DEFAULT_WINDOW_SIZE,
    ...opts.bounds,
    ...(opts.parent ? { parent: opts.parent } : {}),
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'hostpipe — pipe diagnostics',
    backgroundColor: '#0f1218',
    // Shown on 'ready-to-show', so the window never flashes empty.
    show: false,
    autoHideMenuBar: false,
    webPreferences: {
      preload: opts.preloadPath,
      partition: PANEL_PARTITION,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  }
}
