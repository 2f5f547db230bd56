/**
 * `hostpipe/node`: the launcher under plain Node (hosts via `child_process.fork`) and the
 * diagnostics panel over HTTP (ARCHITECTURE §9).
 *
 * @module hostpipe/node
 */
export {
  createLauncher,
  startDiagnosticsServer,
  type DiagnosticsServerStartOptions,
  type RunningDiagnosticsServer,
} from '../main/headless/node-launcher'
export type { AppLauncherOptions, CallOptions, HostpipeLauncher } from '../main/launcher/app-launcher'
