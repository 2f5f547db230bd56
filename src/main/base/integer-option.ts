/**
 * `value` when it is an integer of at least `min` (0 or 1); otherwise a RangeError naming the
 * setting and the value it got ("capacity must be a positive integer, got 0").
 */
export function checkInteger(name: string, value: number, min: 0 | 1): number {
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${name} must be a ${min === 1 ? 'positive' : 'non-negative'} integer, got ${value}`)
  return value
}

/** An optional option that must be a positive integer: `fallback` when undefined (see checkInteger). */
export function positiveIntOption(name: string, value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : checkInteger(name, value, 1)
}

/** An optional option that must be a non-negative integer: `fallback` when undefined (see checkInteger). */
export function nonNegativeIntOption(name: string, value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : checkInteger(name, value, 0)
}
