/**
 * `hostpipe/electron`: the launcher in an Electron main process (hosts via
 * `utilityProcess.fork`) and the diagnostics window (ARCHITECTURE §9).
 */
export type { AppLauncherOptions, CallOptions, HostpipeLauncher } from '../main/launcher/app-launcher'
