/** Colour band of the buffer gauge. */
export type GaugeBand = 'ok' | 'warn' | 'danger'

/** The buffer turns amber at half full and red from 80 %: drops start at 100 %. */
export const WARN_FRACTION = 0.5
export const DANGER_FRACTION = 0.8

/** Fill of the gauge, 0..1 (0 when capacity is unknown). */
export function gaugeFraction(depth: number, capacity: number): number {
  if (!(capacity > 0) || !Number.isFinite(depth)) return 0
  return Math.min(1, Math.max(0, depth / capacity))
}

export function gaugeBand(depth: number, capacity: number): GaugeBand {
  const f = gaugeFraction(depth, capacity)
  if (f >= DANGER_FRACTION) return 'danger'
  if (f >= WARN_FRACTION) return 'warn'
  return 'ok'
}
