import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { ipcMain, screen, type BrowserWindow } from 'electron'
import type { CommandDefinitions } from '../../shared/define-commands'
import type { DiagnosticsAction } from '../../shared/diagnostics'
import { silentLogger } from '../base/logger'
import { launcherInternals } from '../launcher/diagnostics-source'
import type { HostpipeLauncher } from '../launcher/launcher-api'
import { parseAllowedActions, withAllowedActions } from '../launcher/diagnostics-actions'
import type { DiagnosticsSource } from '../launcher/diagnostics-source'
import { defaultPanelDir, defaultPreloadPath } from '../launcher/panel-files'
import { DiagnosticsWindow } from './diagnostics-window'
import { registerDiagnosticsIpc } from './ipc-handlers'
import type { PanelLocation } from './panel-location'
import { isPanelUrl } from './sender-validation'
import { parseWindowBounds, type WindowBounds } from './window-bounds'

/** Options of `openDiagnosticsWindow`. */
export interface DiagnosticsWindowOpenOptions {
  /** The window's parent window. Default none (a top-level window). */
  parent?: BrowserWindow
  /**
   * A JSON file where the window's position and size are kept between runs (restored when they
   * still fit a display, saved after a move or resize). Default none: the default size, not kept.
   */
  boundsFile?: string
  /**
   * The panel actions the app allows (`'kill-host' | 'stop-host' | 'start-host' | 'burst'`).
   * Default none: the panel hides their buttons and the bridge refuses them with an error naming
   * the action and this option. `burst` sends the AgentMux demo's `spawn_pool_window` commands:
   * allow it only when the host serves them.
   */
  actions?: readonly DiagnosticsAction[]
}

/**
 * The panel's IPC handlers are per process (ipcMain channels are global): registered with the
 * first window, they serve the launcher of the window opened last.
 */
let current: DiagnosticsSource | undefined
let isIpcRegistered = false
let isSessionHardened = false

/**
 * Opens the pipe-diagnostics window of a started launcher (docs/panel.md, docs/embedding.md): the
 * same panel as the Electron app's, in a sandboxed, context-isolated window with its own session (its CSP
 * and a refusal of every permission), fed live through the preload bridge; its actions
 * (kill/stop/start host, burst) act on this launcher. Returns the window at once; the panel loads
 * in the background. Call after `app.whenReady()`. Throws a TypeError for an object that is not
 * a hostpipe launcher or for `actions` that are not panel actions, an Error before `start()`.
 * Once the launcher stops the panel says it is gone. One panel source per process: a second
 * launcher's window makes the panel IPC serve that launcher.
 * @category API
 */
export function openDiagnosticsWindow(
  launcher: HostpipeLauncher<CommandDefinitions>,
  options: DiagnosticsWindowOpenOptions = {},
): BrowserWindow {
  const source = withAllowedActions(
    launcherInternals(launcher).source,
    parseAllowedActions(options.actions, 'openDiagnosticsWindow'),
    'openDiagnosticsWindow',
  )
  const panelPath = join(defaultPanelDir(), 'index.html')
  const panel: PanelLocation = { kind: 'file', path: panelPath, url: pathToFileURL(panelPath).href }
  if (!isSessionHardened) {
    DiagnosticsWindow.hardenSession()
    isSessionHardened = true
  }
  current = source
  if (!isIpcRegistered) {
    isIpcRegistered = true
    registerDiagnosticsIpc({
      ipcMain,
      source: {
        snapshot: () => current!.snapshot(),
        subscribe: (fn) => current!.subscribe(fn),
        act: (action, body) => current!.act(action, body),
      },
      isTrustedSender: (url) => isPanelUrl(url, panel),
      log: silentLogger,
    })
  }
  const window = new DiagnosticsWindow({
    panel,
    preloadPath: defaultPreloadPath(),
    source,
    parent: options.parent,
    boundsFile: options.boundsFile,
    log: silentLogger,
  })
  return window.openNow(options.boundsFile ? savedBounds(options.boundsFile) : undefined).window
}

/** The saved bounds, read synchronously so the window is returned at once; undefined if unusable. */
function savedBounds(file: string): WindowBounds | undefined {
  try {
    const workAreas = screen.getAllDisplays().map((d) => d.workArea)
    return parseWindowBounds(JSON.parse(readFileSync(file, 'utf8')), workAreas)
  } catch {
    return undefined
  }
}
