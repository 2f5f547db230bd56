import { parseLauncherArgs, type LauncherCliResult } from '../launcher/launcher-cli'

/**
 * The Electron app's flags: the headless launcher's (`--transport`, `--host-delay-ms`,
 * `--saga-timeout-ms`, `--max-restarts`) without `--port`, and unknown switches left alone,
 * since Chromium and Electron add their own.
 */
export function parseElectronArgs(args: readonly string[]): LauncherCliResult {
  return parseLauncherArgs(args, { strict: false, acceptsPort: false })
}

/** The argv an Electron app sees after the executable (and, unpackaged, the app path). */
export function appArgs(argv: readonly string[], isPackaged: boolean): string[] {
  return argv.slice(isPackaged ? 1 : 2)
}
