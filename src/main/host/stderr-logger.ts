import type { Logger } from '../base/logger'

/** The host's logger: stderr only (the launcher forwards it), one line per call. */
export function stderrLogger(prefix: string, isDebug: boolean): Logger {
  const write = (level: string, args: unknown[]): void => {
    const text = args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' ')
    process.stderr.write(`${prefix} ${level}: ${text}\n`)
  }
  return {
    debug: (...args) => {
      if (isDebug) write('debug', args)
    },
    info: (...args) => write('info', args),
    warn: (...args) => write('warn', args),
    error: (...args) => write('error', args),
  }
}
