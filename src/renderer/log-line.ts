import type { DiagnosticsEvent, LogLevel } from '../shared/diagnostics'

/** One line of the event log, before it gets an id. */
export interface LogLine {
  /** Wall-clock epoch ms. */
  at: number
  level: LogLevel
  /** `saga_failed` for a saga failure, else the line's level. */
  kind: string
  text: string
  /** Why the saga failed; shown highlighted. */
  reason?: string
  isSagaFailure: boolean
}

/**
 * The launcher writes saga failures as "saga 7 (add) failed: <reason>", and folds a run of them
 * into "36 sagas (add, sub) failed (saga 1 … saga 36): <reason>" (the command names are absent
 * when unknown). Recognised by wording, since the feed's ring carries plain messages.
 */
const SAGA_FAILURE = /\b(?:saga \d+|\d+ sagas|sagas?)(?: \([^)]*\))? failed\b|\bsaga_failed\b/i
const REASON = /\bfailed\b[^:]*:\s*(.+)$/i

export function isSagaFailureMessage(message: string): boolean {
  return SAGA_FAILURE.test(message)
}

/** A launcher log line from a snapshot's `events` ring, as the log shows it. */
export function describeLogEvent(e: DiagnosticsEvent): LogLine {
  const isSagaFailure = isSagaFailureMessage(e.message)
  const line: LogLine = {
    at: e.at,
    level: e.level,
    kind: isSagaFailure ? 'saga_failed' : e.level,
    text: e.message,
    isSagaFailure,
  }
  const reason = isSagaFailure ? REASON.exec(e.message)?.[1]?.trim() : undefined
  if (reason) line.reason = reason
  return line
}
