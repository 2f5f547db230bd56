import { COUNTER_NAMES, type DiagnosticsSnapshot } from '../shared/diagnostics'

const STATES = new Set(['connected', 'disconnected', 'stopped', 'gave-up', 'unresponsive'])

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isNumOrNull = (v: unknown): boolean => v === null || isNum(v)

/**
 * Checks that a value from the wire has the shape the panel renders, so a malformed message is
 * skipped instead of breaking the page. Fields the panel does not read are not checked.
 */
export function isDiagnosticsSnapshot(value: unknown): value is DiagnosticsSnapshot {
  if (typeof value !== 'object' || value === null) return false
  const s = value as Record<string, unknown>
  if (typeof s.state !== 'string' || !STATES.has(s.state)) return false
  if (!isNum(s.pending) || !isNum(s.capacity) || !isNum(s.sessionId) || !isNum(s.at)) return false
  if (!isNumOrNull(s.hostPid) || !isNumOrNull(s.expiresInMs)) return false
  const counters = s.counters
  if (typeof counters !== 'object' || counters === null) return false
  const c = counters as Record<string, unknown>
  if (!COUNTER_NAMES.every((name) => c[name] === undefined || isNum(c[name]))) return false
  return s.events === undefined || Array.isArray(s.events)
}

/** Parses an SSE `snapshot` message; undefined when it is not JSON or not a snapshot. */
export function parseSnapshotMessage(data: string): DiagnosticsSnapshot | undefined {
  try {
    const value: unknown = JSON.parse(data)
    return isDiagnosticsSnapshot(value) ? value : undefined
  } catch {
    return undefined
  }
}
