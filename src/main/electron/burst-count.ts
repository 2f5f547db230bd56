import { MAX_BURST } from '../../shared/diagnostics'

export type BurstCountResult = { ok: true; count: number } | { ok: false; error: string }

/** Validates a burst size from the renderer: an integer from 1 to MAX_BURST, nothing else. */
export function validateBurstCount(value: unknown): BurstCountResult {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_BURST) {
    return { ok: true, count: value }
  }
  return {
    ok: false,
    error: `count must be an integer from 1 to ${MAX_BURST}, got ${describe(value)}`,
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value)
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}
