import type { DiagnosticsEvent } from '../shared/diagnostics'
import { describeLogEvent, isSagaFailureMessage, type LogLine } from './log-line'

/** The log keeps the newest this many lines. */
export const EVENT_LOG_LIMIT = 200

export interface LogItem extends LogLine {
  /** Increases with every line added; the view keys its nodes on it. */
  id: number
}

export interface RingDiff {
  /** Entries of the new ring that were not in the previous one, oldest first. */
  fresh: DiagnosticsEvent[]
  /** The previous ring's newest entry was rewritten in place (its replacement is in `fresh`). */
  replacedNewest: boolean
}

function isDiagnosticsEvent(e: unknown): e is DiagnosticsEvent {
  if (typeof e !== 'object' || e === null) return false
  const { at, level, message } = e as Record<string, unknown>
  return typeof at === 'number' && typeof level === 'string' && typeof message === 'string'
}

const sameEvent = (a: DiagnosticsEvent | undefined, b: DiagnosticsEvent | undefined): boolean =>
  a !== undefined && b !== undefined && a.at === b.at && a.level === b.level && a.message === b.message

/** The launcher rewrites its newest line only to fold another saga failure into a run. */
const isFoldOf = (before: DiagnosticsEvent | undefined, after: DiagnosticsEvent | undefined): boolean =>
  before !== undefined &&
  after !== undefined &&
  before.level === after.level &&
  after.at >= before.at &&
  isSagaFailureMessage(before.message) &&
  isSagaFailureMessage(after.message)

/** True when prev[start..end) equals next[0..end-start). */
function overlaps(
  prev: readonly DiagnosticsEvent[],
  next: readonly DiagnosticsEvent[],
  start: number,
  end: number,
) {
  if (end - start > next.length) return false
  for (let i = start; i < end; i++) if (!sameEvent(prev[i], next[i - start])) return false
  return true
}

/**
 * What changed between two views of the launcher's bounded event ring (most recent last): the
 * longest tail of `prev` that `next` starts with is old, the rest is new. The launcher may also
 * have rewritten its newest line (a run of saga failures folded into one), which shows as an
 * overlap whose last entry differs. With no overlap at all (the ring turned over, or a new
 * launcher) everything in `next` is new.
 */
export function diffRing(prev: readonly DiagnosticsEvent[], next: readonly DiagnosticsEvent[]): RingDiff {
  if (next.length === 0) return { fresh: [], replacedNewest: false }
  const n = prev.length
  // The earliest start is the longest overlap, i.e. the fewest entries taken as new.
  for (let start = Math.max(0, n - next.length); start < n; start++) {
    if (overlaps(prev, next, start, n)) return { fresh: next.slice(n - start), replacedNewest: false }
  }
  for (let start = Math.max(0, n - next.length); start < n; start++) {
    if (overlaps(prev, next, start, n - 1) && isFoldOf(prev[n - 1], next[n - 1 - start])) {
      return { fresh: next.slice(n - 1 - start), replacedNewest: true }
    }
  }
  return { fresh: next.slice(), replacedNewest: false }
}

/**
 * The event log: the launcher's recent events, from each snapshot's ring, newest first and
 * bounded to EVENT_LOG_LIMIT lines. The same feed in Electron and in a browser, so both show the
 * same log. A line the launcher rewrote (a growing run of failures) is replaced, not repeated.
 */
export class EventLogModel {
  private lines: LogItem[] = []
  private lastRing: DiagnosticsEvent[] = []
  /** The log line made from the previous ring's newest entry, in case it gets rewritten. */
  private newestRingItemId: number | undefined
  private nextId = 1

  constructor(private readonly limit = EVENT_LOG_LIMIT) {}

  /** Takes a snapshot's ring; returns how many lines were added. */
  addRing(ring: readonly unknown[]): number {
    const valid = ring.filter(isDiagnosticsEvent)
    const { fresh, replacedNewest } = diffRing(this.lastRing, valid)
    this.lastRing = valid
    if (replacedNewest && this.newestRingItemId !== undefined) {
      const id = this.newestRingItemId
      this.lines = this.lines.filter((line) => line.id !== id)
    }
    for (const e of fresh) {
      this.lines.push({ ...describeLogEvent(e), id: this.nextId })
      this.newestRingItemId = this.nextId++
    }
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit)
    return fresh.length
  }

  /**
   * Adds a line of the panel's own (an action that failed, which the launcher may never have
   * seen), kept in order among the launcher's lines.
   */
  addLocal(line: LogLine): void {
    this.lines.push({ ...line, id: this.nextId++ })
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit)
  }

  /** Newest first, at most `limit`. */
  newestFirst(): LogItem[] {
    return this.lines.slice().reverse()
  }

  get size(): number {
    return this.lines.length
  }
}
