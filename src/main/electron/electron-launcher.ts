import { app } from 'electron'
import type { CommandDefinitions } from '../../shared/define-commands'
import type { EventDefinitions } from '../../shared/define-events'
import { createAppLauncher } from '../launcher/app-launcher'
import type { ElectronLauncherOptions, HostpipeLauncher } from '../launcher/launcher-api'
import { checkServiceName } from '../launcher/spawn-options'
import { ElectronHostSpawner } from './electron-host-spawner'
import { HOST_SERVICE_NAME, HostExitTracker } from './host-exit-tracker'

/**
 * A launcher in an Electron main process (docs/embedding.md): hosts are started with
 * `utilityProcess.fork` of `hostEntry` (a file that calls `runHost`), each with its own
 * `serviceName` (the `serviceName` option plus `-<slot>-<n>`), and `app`'s `child-process-gone` event is the authority on their crashes
 * (docs/launcher.md).
 * Takes the same options as `createLauncher` from `hostpipe/node`, and `serviceName`; throws a
 * TypeError for a bad one as `createLauncher` does. Call it once the app module is
 * loaded (any time; `start()` needs `app.whenReady()` to have resolved). Installs nothing else on
 * the app: no single-instance lock, menu or quit policy (those are the app's). `stop()` removes
 * its `child-process-gone` listener; a `start()` after it adds one again.
 * @category API
 */
export function createElectronLauncher<
  const D extends CommandDefinitions,
  const E extends EventDefinitions = Record<never, never>,
>(options: ElectronLauncherOptions<D, E>): HostpipeLauncher<D, E> {
  const serviceName = checkServiceName(options.serviceName, HOST_SERVICE_NAME)
  return createAppLauncher(options, ({ output, log }) => {
    const exits = new HostExitTracker({ serviceName })
    const onGone = (_event: unknown, details: Electron.Details): void => {
      exits.handleChildProcessGone(details)
    }
    app.on('child-process-gone', onGone)
    const spawner = new ElectronHostSpawner({
      hostPath: options.hostEntry,
      exits,
      log,
      output,
      serviceName,
    })
    return {
      spawner,
      release: () => {
        app.removeListener('child-process-gone', onGone)
        exits.dispose()
      },
    }
  })
}
