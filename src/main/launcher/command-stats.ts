import { checkInteger } from '../base/integer-option'
import { MAX_COMMAND_NAMES, OTHER_COMMANDS, type CommandStats } from '../../shared/diagnostics'

/** Latencies are reported over calls that ended within this window. */
export const LATENCY_WINDOW_MS = 60_000
const SLOT_MS = 1_000
const SLOTS = LATENCY_WINDOW_MS / SLOT_MS

/**
 * Log-scale latency bins: bin 0 holds everything under BIN_BASE_MS, bin i ≥ 1 holds
 * [BIN_BASE_MS·2^((i-1)/4), BIN_BASE_MS·2^(i/4)), so a percentile is off by at most one bin
 * (19 %); the last bin (from ~20 min) is open-ended.
 */
const BIN_BASE_MS = 0.1
const BINS_PER_DOUBLING = 4
const BINS = 96

function binOf(ms: number): number {
  if (!(ms >= BIN_BASE_MS)) return 0
  return Math.min(BINS - 1, Math.floor(Math.log2(ms / BIN_BASE_MS) * BINS_PER_DOUBLING) + 1)
}

const upperEdgeOf = (bin: number): number => BIN_BASE_MS * 2 ** (bin / BINS_PER_DOUBLING)

/**
 * One command's latencies over the last minute: a histogram per one-second slot (60 of them,
 * reused in turn) plus their running sum, so recording is O(1) and a percentile walks one
 * histogram. Fixed memory (~24 KB) however many calls end.
 */
class LatencyWindow {
  private readonly counts = new Uint32Array(SLOTS * BINS)
  /** The second (clock time / SLOT_MS) each slot holds; -Infinity when empty. */
  private readonly slotSecond = new Float64Array(SLOTS).fill(Number.NEGATIVE_INFINITY)
  /** The largest latency in each slot: caps a percentile, so equal latencies read exactly. */
  private readonly slotMax = new Float64Array(SLOTS)
  private readonly total = new Uint32Array(BINS)
  private size = 0

  record(ms: number, now: number): void {
    const second = Math.floor(now / SLOT_MS)
    const slot = ((second % SLOTS) + SLOTS) % SLOTS
    if (this.slotSecond[slot] !== second) {
      this.clearSlot(slot)
      this.slotSecond[slot] = second
    }
    const bin = binOf(ms)
    this.counts[slot * BINS + bin]!++
    this.total[bin]!++
    this.size++
    if (ms > this.slotMax[slot]!) this.slotMax[slot] = ms
  }

  /** Empties the slots older than the window; true when nothing is left. */
  expire(now: number): boolean {
    const oldest = Math.floor(now / SLOT_MS) - SLOTS + 1
    for (let slot = 0; slot < SLOTS; slot++) if (this.slotSecond[slot]! < oldest) this.clearSlot(slot)
    return this.size === 0
  }

  /** The `p` quantile (0 < p ≤ 1) in ms, as the upper edge of its bin; null when empty. */
  quantile(p: number): number | null {
    if (this.size === 0) return null
    const rank = Math.max(1, Math.ceil(p * this.size))
    let seen = 0
    let bin = 0
    for (; bin < BINS - 1; bin++) {
      seen += this.total[bin]!
      if (seen >= rank) break
    }
    let max = 0
    for (let slot = 0; slot < SLOTS; slot++) if (this.slotMax[slot]! > max) max = this.slotMax[slot]!
    return Math.round(Math.min(upperEdgeOf(bin), max) * 100) / 100
  }

  private clearSlot(slot: number): void {
    if (this.slotSecond[slot] === Number.NEGATIVE_INFINITY) return
    const row = slot * BINS
    for (let bin = 0; bin < BINS; bin++) {
      const n = this.counts[row + bin]!
      if (n === 0) continue
      this.total[bin]! -= n
      this.size -= n
      this.counts[row + bin] = 0
    }
    this.slotMax[slot] = 0
    this.slotSecond[slot] = Number.NEGATIVE_INFINITY
  }
}

interface CommandEntry {
  readonly name: string
  calls: number
  running: number
  failed: number
  /** Allocated when a call first ends, dropped again once a minute passes without one. */
  latency: LatencyWindow | undefined
}

/** What the table needs of a call: the saga layer's own record of it (no copy is made). */
export interface CallRecord {
  readonly name: string
  /** When it started, on the same clock as the table's `now`. */
  readonly startedAt: number
  /** When it ended, on that clock, if its recorder knows (the table reads the clock otherwise). */
  readonly endedAt?: number | undefined
}

/**
 * Per-command call counts and latencies for the diagnostics feed, told by the saga coordinator
 * of every call's start and end. Every call passes through here, so recording is O(1) and
 * allocates nothing (the call's start time is on the coordinator's record); percentiles are
 * computed when `rows()` builds a snapshot.
 *
 * Memory is bounded whatever the app does: at most `maxNames` names get a row of their own (an
 * app that makes names up per call would otherwise grow the table forever); calls of any further
 * name are counted under OTHER_COMMANDS.
 */
export class CommandCalls {
  private readonly byName = new Map<string, CommandEntry>()
  private other: CommandEntry | undefined

  /**
   * @param now the coordinator's clock in ms, for latencies and the window
   * @param maxNames names with a row of their own; default MAX_COMMAND_NAMES
   */
  constructor(
    private readonly now: () => number,
    private readonly maxNames = MAX_COMMAND_NAMES,
  ) {
    checkInteger('maxNames', maxNames, 1)
  }

  started(call: CallRecord): void {
    const entry = this.byName.get(call.name) ?? this.addEntry(call.name)
    entry.calls++
    entry.running++
  }

  /** A call that `started` here ended, completed or failed (`isFailure`). */
  ended(call: CallRecord, isFailure: boolean): void {
    const entry = this.byName.get(call.name) ?? this.other
    if (!entry) return
    entry.running--
    if (isFailure) entry.failed++
    const now = call.endedAt ?? this.now()
    ;(entry.latency ??= new LatencyWindow()).record(now - call.startedAt, now)
  }

  /** One row per name called so far, in order of first call, OTHER_COMMANDS last. */
  rows(): CommandStats[] {
    const now = this.now()
    const rows: CommandStats[] = []
    for (const entry of this.byName.values()) rows.push(this.rowOf(entry, now))
    if (this.other) rows.push(this.rowOf(this.other, now))
    return rows
  }

  private rowOf(entry: CommandEntry, now: number): CommandStats {
    const latency = entry.latency
    if (latency?.expire(now)) entry.latency = undefined
    return {
      name: entry.name,
      calls: entry.calls,
      running: entry.running,
      failed: entry.failed,
      p50Ms: entry.latency?.quantile(0.5) ?? null,
      p99Ms: entry.latency?.quantile(0.99) ?? null,
    }
  }

  private addEntry(name: string): CommandEntry {
    if (this.byName.size >= this.maxNames) return (this.other ??= newEntry(OTHER_COMMANDS))
    const entry = newEntry(name)
    this.byName.set(name, entry)
    return entry
  }
}

const newEntry = (name: string): CommandEntry => ({
  name,
  calls: 0,
  running: 0,
  failed: 0,
  latency: undefined,
})
