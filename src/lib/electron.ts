/**
 * `hostpipe/electron`: the launcher in an Electron main process (hosts via
 * `utilityProcess.fork`) and the diagnostics window (docs/embedding.md).
 *
 * @module hostpipe/electron
 */
export { createElectronLauncher } from '../main/electron/electron-launcher'
export {
  openDiagnosticsWindow,
  type DiagnosticsWindowOpenOptions,
} from '../main/electron/open-diagnostics-window'
export {
  LauncherStoppedError,
  type AppLauncherOptions,
  type CallOptions,
  type ElectronLauncherOptions,
  type EventListener,
  type EventOrigin,
  type HostOutput,
  type HostpipeLauncher,
  type HostpipeStream,
  type StreamOptions,
} from '../main/launcher/launcher-api'
