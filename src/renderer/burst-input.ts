import { MAX_BURST } from '../shared/diagnostics'

export const DEFAULT_BURST = 100

export type BurstInput = { ok: true; count: number } | { ok: false; error: string }

/** Reads the burst field: a whole number from 1 to MAX_BURST, surrounding spaces allowed. */
export function parseBurstInput(text: string): BurstInput {
  const trimmed = text.trim()
  if (!/^\d+$/.test(trimmed)) return { ok: false, error: `Enter a whole number from 1 to ${MAX_BURST}.` }
  const count = Number(trimmed)
  if (count < 1 || count > MAX_BURST)
    return { ok: false, error: `Enter a whole number from 1 to ${MAX_BURST}.` }
  return { ok: true, count }
}
