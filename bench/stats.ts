/** Small, dependency-free statistics for the bench. Inputs are not modified. */

export function median(values: readonly number[]): number {
  return percentile(values, 50)
}

/** Nearest-rank percentile (p in 0–100) of the values; NaN when there are none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = Float64Array.from(values).sort()
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** A median with the range it was taken from: how far one round can be from it. */
export interface Spread {
  median: number
  min: number
  max: number
  /** How many values. */
  n: number
}

/** The median, min and max of the values (NaN for none). */
export function spreadOf(values: readonly number[]): Spread {
  return {
    median: median(values),
    min: percentile(values, 0),
    max: percentile(values, 100),
    n: values.length,
  }
}
