import { formatCount, formatPid } from './format'

/** One slot's host as the panel's host table shows it: bare values, '' where the feed has none. */
export interface HostRowText {
  slot: number
  /** Digits; '' while no host runs in the slot. */
  pid: string
  /** As the feed says: `connected`, `disconnected`, `busy`, …; '' when it says nothing usable. */
  state: string
  /** Digits: commands written to the host and not yet confirmed. */
  inFlight: string
  /** Digits: replacements of the slot's host. */
  restarts: string
}

/** Longer than any state the feed spells: anything past it is not a state. */
const MAX_STATE_LENGTH = 32

/**
 * The feed's `hosts` as table rows, one per slot, in slot order. An entry without a
 * non-negative integer `slot`, or repeating a slot already seen, is skipped, so a malformed
 * feed shows fewer rows rather than a broken table; a feed without `hosts` shows none.
 */
export function hostRowsOf(hosts: unknown): HostRowText[] {
  if (!Array.isArray(hosts)) return []
  const bySlot = new Map<number, HostRowText>()
  for (const entry of hosts as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue
    const h = entry as Record<string, unknown>
    const slot = h.slot
    if (typeof slot !== 'number' || !Number.isSafeInteger(slot) || slot < 0 || bySlot.has(slot)) continue
    bySlot.set(slot, {
      slot,
      pid: formatPid(asNumber(h.pid)),
      state: typeof h.state === 'string' && h.state.length <= MAX_STATE_LENGTH ? h.state : '',
      inFlight: formatCount(asNumber(h.inFlight)),
      restarts: formatCount(asNumber(h.restarts)),
    })
  }
  return [...bySlot.values()].sort((a, b) => a.slot - b.slot)
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined
}
