/** The chart shows this much history. */
export const SERIES_WINDOW_MS = 60_000

/** One chart point: local time (epoch ms), buffer depth, commands sent per second. */
export interface SeriesPoint {
  t: number
  depth: number
  rate: number
}

/**
 * Buffer depth and throughput over the last minute, sampled at a fixed cadence from whatever
 * snapshots arrived in between. Snapshots come only on change, so sampling (rather than
 * plotting each snapshot) keeps the time axis even; the depth plotted is the peak since the
 * last sample, so a burst that fills and drains between two samples still shows.
 * Throughput is the growth of the `sent` counter between samples.
 */
export class LiveSeries {
  private points: SeriesPoint[] = []
  private latestDepth: number | undefined
  private peakDepth: number | undefined
  private latestSent: number | undefined
  private lastSample: { t: number; sent: number } | undefined

  constructor(private readonly windowMs = SERIES_WINDOW_MS) {}

  /** Records a snapshot's values. */
  observe(depth: number, sent: number): void {
    this.latestDepth = depth
    this.peakDepth = Math.max(this.peakDepth ?? depth, depth)
    this.latestSent = sent
  }

  /** Appends a point at local time `t` (epoch ms); nothing before the first snapshot. */
  sample(t: number): SeriesPoint | undefined {
    if (this.latestDepth === undefined || this.latestSent === undefined) return undefined
    const sent = this.latestSent
    let rate = 0
    const last = this.lastSample
    // Counters only grow; a smaller `sent` means a new launcher, so start counting again.
    if (last && t > last.t && sent >= last.sent) rate = ((sent - last.sent) * 1000) / (t - last.t)
    this.lastSample = { t, sent }
    const point = { t, depth: this.peakDepth ?? this.latestDepth, rate }
    this.peakDepth = this.latestDepth
    this.points.push(point)
    const cutoff = t - this.windowMs
    let drop = 0
    while (drop < this.points.length && (this.points[drop]?.t ?? Infinity) < cutoff) drop++
    if (drop > 0) this.points.splice(0, drop)
    return point
  }

  /** uPlot's column layout: times in seconds, depths, rates. */
  columns(): [number[], number[], number[]] {
    return [
      this.points.map((p) => p.t / 1000),
      this.points.map((p) => p.depth),
      this.points.map((p) => p.rate),
    ]
  }

  get size(): number {
    return this.points.length
  }

  get latest(): SeriesPoint | undefined {
    return this.points[this.points.length - 1]
  }
}
