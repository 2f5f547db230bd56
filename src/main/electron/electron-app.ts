import { join } from 'node:path'
import { app, ipcMain, Menu } from 'electron'
import type { Logger } from '../base/logger'
import { setUnexpectedErrorHandler } from '../base/unexpected-error'
import { createLauncher } from '../launcher/launcher'
import { hostArgsOf } from '../launcher/launcher-cli'
import type { DiagnosticsSource } from '../launcher/diagnostics-source'
import type { Launcher } from '../launcher/launcher'
import { createLogger } from '../launcher/log'
import { appMenuTemplate } from './app-menu'
import { DiagnosticsWindow } from './diagnostics-window'
import { appArgs, parseElectronArgs } from './electron-cli'
import { ElectronHostSpawner } from './electron-host-spawner'
import { HostExitTracker } from './host-exit-tracker'
import { registerDiagnosticsIpc } from './ipc-handlers'
import { resolvePanelLocation } from './panel-location'
import { isPanelUrl } from './sender-validation'

/** The launcher gets this long to stop its host on quit before the app exits anyway. */
const DISPOSE_TIMEOUT_MS = 5_000

/**
 * The Electron app: one instance, one launcher, one diagnostics window. `mainDir` is the
 * directory of the built main entry (out/main), where host.js sits next to index.js.
 */
export function runElectronApp(mainDir: string): void {
  const log = createLogger()
  setUnexpectedErrorHandler((err) => log.error('[app] unexpected error:', err))
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

  const exits = new HostExitTracker()
  // Registered before anything can spawn: the gone event is the authority on host crashes.
  app.on('child-process-gone', (_event, details) => {
    if (exits.handleChildProcessGone(details))
      log.info(`host gone: ${details.reason} (exit code ${details.exitCode})`)
  })

  const launcher = createLauncher({
    spawner: new ElectronHostSpawner({ hostPath: join(mainDir, 'host.js'), exits, log }),
    transport: cli.transport,
    hostArgs: hostArgsOf(cli),
    sagaTimeoutMs: cli.sagaTimeoutMs,
    maxRestarts: cli.maxRestarts,
    standby: cli.standby,
    unresponsiveMs: cli.unresponsiveMs,
    version: app.getVersion(),
    log,
  })

  const panel = resolvePanelLocation(mainDir, process.env, app.isPackaged)
  let diagnostics: DiagnosticsWindow | undefined
  let disposeIpc: (() => void) | undefined
  const openDiagnostics = (): void => {
    diagnostics
      ?.show()
      .catch((err: unknown) => log.error(`could not open the diagnostics window: ${String(err)}`))
  }

  app.on('second-instance', openDiagnostics)
  app.on('activate', openDiagnostics)
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  installQuitHandler(log, async () => {
    disposeIpc?.()
    diagnostics?.dispose()
    await withTimeout(launcher.dispose(), DISPOSE_TIMEOUT_MS, 'launcher.dispose()')
    exits.dispose()
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit())

  void app
    .whenReady()
    .then(async () => {
      DiagnosticsWindow.hardenSession()
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(
          appMenuTemplate({
            isMac: process.platform === 'darwin',
            withDevTools: !app.isPackaged,
            openDiagnostics,
          }),
        ),
      )
      await startLauncher(launcher, log)
      const source = diagnosticsOf(launcher)
      if (!source) {
        log.error('the launcher could not start: nothing to show, quitting')
        app.quit()
        return
      }
      disposeIpc = registerDiagnosticsIpc({
        ipcMain,
        source,
        isTrustedSender: (url) => isPanelUrl(url, panel),
        log,
      })
      diagnostics = new DiagnosticsWindow({
        panel,
        preloadPath: join(mainDir, '..', 'preload', 'index.cjs'),
        boundsFile: join(app.getPath('userData'), 'diagnostics-window.json'),
        source,
        log,
      })
      openDiagnostics()
    })
    .catch((err: unknown) => {
      log.error(`startup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      app.quit()
    })
}

/**
 * The launcher's feed, or undefined when it never got as far as having one (its IPC server
 * failed to listen). A host that failed to register still leaves a feed: its state is news.
 */
function diagnosticsOf(launcher: Launcher): DiagnosticsSource | undefined {
  try {
    return launcher.diagnostics
  } catch {
    return undefined
  }
}

/** A host that never registers must not keep the window shut: its state is what the panel shows. */
async function startLauncher(launcher: Launcher, log: Logger): Promise<void> {
  try {
    await launcher.start()
    log.info('launcher started; host registered')
  } catch (err) {
    log.error(`launcher failed to start: ${err instanceof Error ? err.message : String(err)}`)
  }
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
