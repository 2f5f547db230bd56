/**
 * How the panel spells values. Elements with a `data-testid` hold the bare value (digits, no
 * units, no separators) so tests and scripts can read them; labels and units live next to them.
 */

/** A count as bare digits; '' for anything that is not a finite number. */
export function formatCount(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? String(Math.trunc(n)) : ''
}

/**
 * A latency in whole ms, rounded up (a bound: "at most N ms", so a sub-ms call reads 1, not 0);
 * '' for null (nothing measured).
 */
export function formatLatencyMs(ms: number | null | undefined): string {
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? String(Math.ceil(ms)) : ''
}

/** A pid, or '' while there is no host. */
export function formatPid(pid: number | null | undefined): string {
  return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? String(pid) : ''
}

/** A rate for display next to the chart: one decimal below 10, whole numbers above, k above 10 000. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0'
  if (perSecond < 10) return perSecond.toFixed(1)
  if (perSecond < 10_000) return String(Math.round(perSecond))
  return `${(perSecond / 1000).toFixed(perSecond < 100_000 ? 1 : 0)}k`
}

/** Wall-clock time of day with milliseconds, local time: `14:03:07.042`. */
export function formatTimeOfDay(epochMs: number): string {
  const d = new Date(epochMs)
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}
