/**
 * The demo's Electron main entry (out/main/index.js). The launcher and its window come from the
 * public `hostpipe/electron` entry, as in any embedding app; what only an app decides lives here:
 * one instance, the menu, quitting when the window closes, argv, and stopping the launcher on quit.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, Menu, type BrowserWindow } from 'electron'
import { defineCommands } from '../lib/index'
import { createElectronLauncher, openDiagnosticsWindow } from '../lib/electron'
import { setUnexpectedErrorHandler } from './base/unexpected-error'
import type { Logger } from './base/logger'
import { appMenuTemplate } from './electron/app-menu'
import { appArgs, parseElectronArgs } from './electron/electron-cli'
import { launcherOptionsOf } from './launcher/launcher-cli'
import { createLogger } from './launcher/log'

/** The launcher gets this long to stop its host on quit before the app exits anyway. */
const STOP_TIMEOUT_MS = 5_000

const mainDir = dirname(fileURLToPath(import.meta.url))
const log = createLogger()
setUnexpectedErrorHandler((err) => log.error('[app] unexpected error:', err))

function main(): void {
  const parsed = parseElectronArgs(appArgs(process.argv, app.isPackaged))
  if (!parsed.ok) {
    log.error(parsed.error)
    app.exit(2)
    return
  }
  if (!app.requestSingleInstanceLock()) {
    // The first instance gets 'second-instance' and shows its window.
    app.quit()
    return
  }
  const cli = parsed.options
  // The demo's host serves only the built-in AgentMux commands (the panel's burst sends them).
  const launcher = createElectronLauncher({
    hostEntry: join(mainDir, 'host.js'),
    commands: defineCommands({}),
    ...launcherOptionsOf(cli),
    log,
  })

  let window: BrowserWindow | undefined
  let isStarted = false
  const openDiagnostics = (): void => {
    if (!isStarted) return
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore()
      window.show()
      window.focus()
      return
    }
    try {
      window = openDiagnosticsWindow(launcher, {
        boundsFile: join(app.getPath('userData'), 'diagnostics-window.json'),
        // The demo's host serves the AgentMux commands, so the panel's burst has something to run.
        actions: ['kill-host', 'stop-host', 'start-host', 'burst'],
      })
    } catch (err) {
      log.error(`could not open the diagnostics window: ${String(err)}`)
    }
  }

  app.on('second-instance', openDiagnostics)
  app.on('activate', openDiagnostics)
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  installQuitHandler(log, () => withTimeout(launcher.stop(), STOP_TIMEOUT_MS, 'launcher.stop()'))
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit())

  void app
    .whenReady()
    .then(async () => {
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(
          appMenuTemplate({
            isMac: process.platform === 'darwin',
            withDevTools: !app.isPackaged,
            openDiagnostics,
          }),
        ),
      )
      // A host that never registers must not keep the window shut: its state is what the panel shows.
      try {
        await launcher.start()
        log.info('launcher started; host registered')
      } catch (err) {
        log.error(`launcher failed to start: ${err instanceof Error ? err.message : String(err)}`)
      }
      try {
        launcher.diagnostics()
      } catch {
        log.error('the launcher could not start: nothing to show, quitting')
        app.quit()
        return
      }
      isStarted = true
      openDiagnostics()
    })
    .catch((err: unknown) => {
      log.error(`startup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      app.quit()
    })
}

/** Holds the quit until `shutdown` has run once (the launcher must not leave an orphan host). */
function installQuitHandler(log: Logger, shutdown: () => Promise<void>): void {
  let state: 'running' | 'stopping' | 'stopped' = 'running'
  app.on('before-quit', (event) => {
    if (state === 'stopped') return
    event.preventDefault()
    if (state === 'stopping') return
    state = 'stopping'
    shutdown()
      .catch((err: unknown) => log.error(`shutdown: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        state = 'stopped'
        app.quit()
      })
  })
}

function withTimeout(p: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

main()
