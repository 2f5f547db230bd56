/**
 * `hostpipe/node`: the launcher under plain Node (hosts via `child_process.spawn`) and the
 * diagnostics panel over HTTP (docs/embedding.md).
 *
 * @module hostpipe/node
 */
export {
  createLauncher,
  startDiagnosticsServer,
  type DiagnosticsServerStartOptions,
  type RunningDiagnosticsServer,
} from '../main/headless/node-launcher'
export {
  LauncherStoppedError,
  type AppLauncherOptions,
  type CallOptions,
  type EventListener,
  type EventOrigin,
  type HostOutput,
  type HostpipeLauncher,
  type HostpipeStream,
  type StreamOptions,
} from '../main/launcher/launcher-api'
