import { format } from 'node:util'
import type { Logger } from '../base/logger'

/** The levels of a `Logger`, least severe first. */
export type StderrLogLevel = 'debug' | 'info' | 'warn' | 'error'
const SEVERITY: Readonly<Record<StderrLogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 }

/**
 * The logger of an embedding app that gave none: one line per message on stderr, prefixed
 * `hostpipe: `, for messages at `level` or above. Never stdout: that is the app's.
 */
export function createStderrLogger(
  level: StderrLogLevel,
  write: (text: string) => void = (text) => void process.stderr.write(text),
): Logger {
  const at =
    (l: StderrLogLevel) =>
    (...args: unknown[]): void => {
      if (SEVERITY[l] >= SEVERITY[level]) write(`hostpipe: ${format(...args)}\n`)
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}
