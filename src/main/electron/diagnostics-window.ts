import { BrowserWindow, screen, session, type Session, type WebContents } from 'electron'
import { IPC_CHANNELS } from '../../shared/ipc-channels'
import type { Logger } from '../base/logger'
import type { DiagnosticsSource } from '../launcher/diagnostics-source'
import { withPanelCsp } from './content-security-policy'
import type { PanelLocation } from './panel-location'
import { isPanelUrl } from './sender-validation'
import { loadWindowBounds, saveWindowBounds, type WindowBounds } from './window-bounds'
import { diagnosticsWindowOptions, PANEL_PARTITION } from './window-options'

/** Saves bounds this long after the last move or resize, so a drag is one write. */
const SAVE_BOUNDS_DEBOUNCE_MS = 500

export interface DiagnosticsWindowOptions {
  panel: PanelLocation
  preloadPath: string
  /** JSON file for the window's bounds, in app.getPath('userData'); none: default bounds, not saved. */
  boundsFile?: string
  /** The window's parent (`openDiagnosticsWindow(launcher, { parent })`). */
  parent?: BrowserWindow
  source: DiagnosticsSource
  log: Logger
}

/**
 * The pipe-diagnostics window: at most one, opened at start and from the menu. Pushes every
 * snapshot to the panel while it is open, remembers where it was, and lets the panel do
 * nothing but show itself (no navigation, no new windows, no permissions).
 */
export class DiagnosticsWindow {
  private window: BrowserWindow | undefined
  private opening: Promise<void> | undefined
  private disposed = false

  constructor(private readonly opts: DiagnosticsWindowOptions) {}

  /** Hardens the panel's session once: its CSP header and a refusal of every permission. */
  static hardenSession(ses: Session = session.fromPartition(PANEL_PARTITION)): void {
    ses.webRequest.onHeadersReceived((details, callback) =>
      callback({ responseHeaders: withPanelCsp(details.responseHeaders) }),
    )
    ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
    ses.setPermissionCheckHandler(() => false)
  }

  /** Opens the window, or brings it to the front if it is open. */
  show(): Promise<void> {
    if (this.disposed) return Promise.resolve()
    const existing = this.window
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore()
      existing.show()
      existing.focus()
      return Promise.resolve()
    }
    this.opening ??= this.create().finally(() => {
      this.opening = undefined
    })
    return this.opening
  }

  /** Closes the window (its bounds are saved on the way). */
  dispose(): void {
    this.disposed = true
    const win = this.window
    if (win && !win.isDestroyed()) win.close()
  }

  private async create(): Promise<void> {
    const { boundsFile } = this.opts
    const workAreas = screen.getAllDisplays().map((d) => d.workArea)
    const bounds = boundsFile ? await loadWindowBounds(boundsFile, workAreas) : undefined
    if (this.disposed) return
    await this.openNow(bounds).loaded
  }

  /**
   * Creates the window now (at `bounds`, or the default size) and starts loading the panel;
   * `loaded` settles once it has loaded (a load failure is logged, never thrown).
   */
  openNow(bounds?: WindowBounds): { window: BrowserWindow; loaded: Promise<void> } {
    const { panel, preloadPath, boundsFile, source, log, parent } = this.opts
    const win = new BrowserWindow(diagnosticsWindowOptions({ preloadPath, bounds, parent }))
    this.window = win
    const wc = win.webContents
    this.denyNavigation(wc)

    // Only ever to the panel itself: a frame that is anything else gets no data.
    const isPanelShown = (): boolean => !wc.isDestroyed() && isPanelUrl(wc.mainFrame.url, panel)
    const unsubscribe = source.subscribe((snapshot) => {
      if (isPanelShown()) wc.send(IPC_CHANNELS.snapshot, snapshot)
    })
    const stopWatchingLauncher =
      source.onDidEnd?.(() => {
        if (isPanelShown()) wc.send(IPC_CHANNELS.launcherGone)
      }) ?? (() => undefined)

    let saveTimer: NodeJS.Timeout | undefined
    const saveBounds = (): void => {
      clearTimeout(saveTimer)
      saveTimer = undefined
      if (!boundsFile || win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return
      const b: WindowBounds = win.getNormalBounds()
      saveWindowBounds(boundsFile, b).catch((err: unknown) =>
        log.warn(`could not save window bounds: ${String(err)}`),
      )
    }
    const scheduleSave = (): void => {
      clearTimeout(saveTimer)
      saveTimer = setTimeout(saveBounds, SAVE_BOUNDS_DEBOUNCE_MS)
    }
    win.on('resized', scheduleSave)
    win.on('moved', scheduleSave)
    win.on('close', saveBounds)
    win.once('ready-to-show', () => win.show())
    win.on('closed', () => {
      clearTimeout(saveTimer)
      unsubscribe()
      stopWatchingLauncher()
      if (this.window === win) this.window = undefined
    })
    wc.on('render-process-gone', (_e, details) =>
      log.warn(`diagnostics panel renderer gone: ${details.reason}`),
    )

    const loading = panel.kind === 'file' ? win.loadFile(panel.path) : win.loadURL(panel.url)
    const loaded = loading.catch((err: unknown) => {
      log.error(`could not load the diagnostics panel from ${panel.url}: ${String(err)}`)
    })
    return { window: win, loaded }
  }

  private denyNavigation(wc: WebContents): void {
    const { panel, log } = this.opts
    wc.on('will-navigate', (event, url) => {
      if (isPanelUrl(url, panel)) return
      event.preventDefault()
      log.warn(`diagnostics panel: navigation to ${url} denied`)
    })
    wc.on('will-redirect', (event, url) => {
      if (isPanelUrl(url, panel)) return
      event.preventDefault()
    })
    wc.on('will-attach-webview', (event) => event.preventDefault())
    wc.setWindowOpenHandler(({ url }) => {
      log.warn(`diagnostics panel: window.open(${url}) denied`)
      return { action: 'deny' }
    })
  }
}
