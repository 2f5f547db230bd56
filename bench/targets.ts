/** The targets, each against a baseline in the same run or an absolute bound. */
export const TARGETS = {
  throughputRatio: { min: 0.9, label: '≥ 0.9' },
  p99Ms: { max: 1, label: '< 1 ms' },
  reconnectMs: { max: 500, label: '< 500 ms' },
  rssGrowthMb: { max: 20, label: '< 20 MB' },
  failoverMs: { max: 20, label: '< 20 ms' },
  /** coldStartMs − bareStartMs */
  coldStartOverheadMs: { max: 30, label: '< 30 ms over bare' },
  chaosFailedPct: { max: 1, label: '< 1 %' },
  /** The stretch target, with a command that is retried on host loss. */
  chaosRetryFailedPct: { max: 0.1, label: '< 0.1 %' },
} as const

/** The ARCHITECTURE §7 object, keys in this order. */
export interface BenchSummary {
  throughputRatio: number
  p50Ms: number
  p99Ms: number
  reconnectMs: number
  rssGrowthMb: number
  failoverMs: number
  coldStartMs: number
  bareStartMs: number
  chaosFailedPct: number
  /** Beyond §7: chaosFailedPct with `reap_panes`, which is retried on host loss. */
  chaosRetryFailedPct: number
  standbyRssMb: number
}

export function meetsTarget(key: keyof typeof TARGETS, value: number): boolean {
  const t: { min?: number; max?: number } = TARGETS[key]
  if (Number.isNaN(value)) return false
  if (t.min !== undefined) return value >= t.min
  return value < t.max!
}
