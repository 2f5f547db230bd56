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

/**
 * hostpipe's own routine lines among a host's output: the host's `info`/`debug` log lines
 * (`[host <pid>] info: …`, see host/stderr-logger.ts) and the spawner's `[host <pid>] exited …`
 * (a crash is also a supervisor warning). What the app's host code prints is never routine.
 */
const ROUTINE_HOST_LINE = /^\[host \d+\] (?:(?:info|debug): |exited \()/

/**
 * The host-output logger of an app that gave no `log`: every line the host's own code writes,
 * and hostpipe's warnings and errors, on stderr; hostpipe's routine lines are left out.
 */
export function createHostOutputStderrLogger(
  write: (text: string) => void = (text) => void process.stderr.write(text),
): Logger {
  const stderr = createStderrLogger('info', write)
  return {
    ...stderr,
    info: (...args) => {
      if (!ROUTINE_HOST_LINE.test(format(...args))) stderr.info(...args)
    },
    debug: () => {},
  }
}
