import { format } from 'node:util'
import electronLog from 'electron-log/node'
import type { Logger } from '../base/logger'

export const LOG_LEVEL_ENV = 'HOSTPIPE_LOG_LEVEL'
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const
export type LauncherLogLevel = (typeof LOG_LEVELS)[number]
export const DEFAULT_LOG_LEVEL: LauncherLogLevel = 'info'

export interface LauncherLogOptions {
  /** Default: env HOSTPIPE_LOG_LEVEL, else 'info'. */
  level?: string
  /** Log file path; false for none. Default electron-log's (e.g. ~/.config/hostpipe/logs/main.log). */
  file?: string | false
  /** Where console output goes; default process.stderr. Never stdout. */
  writeStderr?: (text: string) => void
  /** Default process.env. */
  env?: Record<string, string | undefined>
}

let loggerCount = 0

/**
 * The launcher's logger: electron-log (its Node flavour, so it runs outside Electron too) to a
 * file and to stderr. stdout is reserved for the one `Diagnostics:` line scripts read, so the
 * console transport, which would print info and debug to stdout, is redirected.
 */
export function createLogger(opts: LauncherLogOptions = {}): Logger {
  const env = opts.env ?? process.env
  const requested = opts.level ?? env[LOG_LEVEL_ENV]
  const level = parseLogLevel(requested)
  const writeStderr = opts.writeStderr ?? ((text: string) => void process.stderr.write(text))

  const log = electronLog.create({ logId: `hostpipe-${++loggerCount}` })
  const stderrTransport = log.transports.console
  stderrTransport.level = level
  stderrTransport.useStyles = false
  stderrTransport.writeFn = ({ message }) => writeStderr(format(...message.data) + '\n')

  const file = log.transports.file
  if (opts.file === false) file.level = false
  else {
    file.level = level
    const path = opts.file
    if (path !== undefined) file.resolvePathFn = () => path
  }
  // Electron-only transports: nothing to send to here.
  if (log.transports.ipc) log.transports.ipc.level = false
  if (log.transports.remote) log.transports.remote.level = false

  if (requested !== undefined && requested.trim().toLowerCase() !== level)
    log.warn(
      `${LOG_LEVEL_ENV}=${JSON.stringify(requested)} is not one of ${LOG_LEVELS.join(', ')}: using ${level}`,
    )

  return {
    debug: (...args) => log.debug(...args),
    info: (...args) => log.info(...args),
    warn: (...args) => log.warn(...args),
    error: (...args) => log.error(...args),
  }
}

/** A known level (case-insensitive), else the default. */
export function parseLogLevel(value: string | undefined): LauncherLogLevel {
  const lower = value?.trim().toLowerCase()
  return (LOG_LEVELS as readonly string[]).includes(lower ?? '')
    ? (lower as LauncherLogLevel)
    : DEFAULT_LOG_LEVEL
}
