import type { CommandDefinitions } from '../../shared/define-commands'
import type { EventDefinitions } from '../../shared/define-events'
import type { DiagnosticsAction } from '../../shared/diagnostics'
import type { Logger } from '../base/logger'
import { createAppLauncher } from '../launcher/app-launcher'
import { launcherInternals } from '../launcher/diagnostics-source'
import type { AppLauncherOptions, HostpipeLauncher } from '../launcher/launcher-api'
import { defaultPanelDir } from '../launcher/panel-files'
import { DiagnosticsServer } from './diagnostics-server'
import { NodeHostSpawner } from './node-host-spawner'

/**
 * A launcher under plain Node (docs/embedding.md): hosts are started with `child_process.spawn` of
 * `hostEntry` (a file that calls `runHost`), over the `pipe` (default) or `port` transport.
 * Importing starts nothing; `start()` does. Throws a TypeError for a `hostEntry` that is no file
 * path (a `file:` URL, an empty string) and for a bad `hostOutput`; bad
 * numeric options make `start()`/`call()` throw a RangeError naming the option.
 * @category API
 */
export function createLauncher<
  const D extends CommandDefinitions,
  const E extends EventDefinitions = Record<never, never>,
>(options: AppLauncherOptions<D, E>): HostpipeLauncher<D, E> {
  return createAppLauncher(options, ({ output, log }) => ({
    spawner: new NodeHostSpawner({ hostScript: options.hostEntry, log, output }),
  }))
}

/** Options of `startDiagnosticsServer`. */
export interface DiagnosticsServerStartOptions {
  /** TCP port on 127.0.0.1; default 0 (a free one, see the result's `port`). */
  port?: number
  /** The built panel's directory. Default: the one shipped with hostpipe. */
  staticDir?: string
  /**
   * The panel actions the app allows (`'kill-host' | 'stop-host' | 'start-host' | 'burst'`).
   * Default none: the panel hides their buttons and `POST /api/actions/*` answers 403 with
   * `{"error"}` naming the action and this option. `burst` sends the AgentMux demo's
   * `spawn_pool_window` commands: allow it only when the host serves them.
   */
  actions?: readonly DiagnosticsAction[]
  /** Where the server logs. Default: nowhere. */
  log?: Logger
}

/** A running diagnostics server. */
export interface RunningDiagnosticsServer {
  /** `http://127.0.0.1:PORT/?token=TOKEN`: open it in a browser to see the panel. */
  readonly url: string
  readonly port: number
  /** Closes the server and its event streams. */
  close(): Promise<void>
}

/**
 * Serves the diagnostics panel of a started launcher over HTTP on 127.0.0.1
 * (docs/launcher.md#running-headless, docs/panel.md): the page without a token, `/api/*` with
 * `launcher.apiToken` (`?token=` or `Authorization: Bearer`). Rejects when the launcher was not
 * made by hostpipe or not started, when `actions` is not a list of panel actions (TypeError), or
 * when the port cannot be bound. Once the launcher stops the panel says it is gone (the API
 * answers 503).
 * @category API
 */
export async function startDiagnosticsServer(
  launcher: HostpipeLauncher<CommandDefinitions>,
  options: DiagnosticsServerStartOptions = {},
): Promise<RunningDiagnosticsServer> {
  const internals = launcherInternals(launcher)
  // Constructed inside the async function: a bad option rejects, as documented.
  const server = new DiagnosticsServer({
    source: internals.source,
    token: internals.token,
    port: options.port ?? 0,
    staticDir: options.staticDir ?? defaultPanelDir(),
    subscribeEvents: internals.subscribeEvents,
    actions: options.actions,
    log: options.log,
  })
  const port = await server.listen()
  return {
    url: `http://127.0.0.1:${port}/?token=${internals.token}`,
    port,
    close: () => server.close(),
  }
}
