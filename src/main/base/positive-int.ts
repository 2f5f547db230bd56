/**
 * Reads an optional numeric option that must be a positive integer: `fallback` when undefined.
 * Throws a RangeError naming the option and the value it got ("capacity must be a positive
 * integer, got 0").
 */
export function positiveIntOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`)
  return value
}
