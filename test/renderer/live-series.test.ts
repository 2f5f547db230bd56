import { describe, expect, it } from 'vitest'
import { LiveSeries, SERIES_WINDOW_MS } from '../../src/renderer/live-series'

describe('the chart series', () => {
  it('has no points before the first snapshot', () => {
    const series = new LiveSeries()
    expect(series.sample(1_000)).toBeUndefined()
    expect(series.columns()).toEqual([[], [], []])
  })

  it('computes commands sent per second from the growth of the sent counter', () => {
    const series = new LiveSeries()
    series.observe(0, 100)
    expect(series.sample(10_000)?.rate).toBe(0)
    series.observe(0, 600)
    expect(series.sample(10_500)?.rate).toBe(1_000)
    expect(series.sample(11_500)?.rate).toBe(0)
  })

  it('plots the peak depth since the last sample, so a short spike shows', () => {
    const series = new LiveSeries()
    series.observe(0, 0)
    series.observe(64, 0)
    series.observe(3, 0)
    expect(series.sample(1_000)?.depth).toBe(64)
    expect(series.sample(1_500)?.depth).toBe(3)
  })

  it('starts counting again when the counter goes backwards (a new launcher)', () => {
    const series = new LiveSeries()
    series.observe(0, 5_000)
    series.sample(1_000)
    series.observe(0, 10)
    expect(series.sample(2_000)?.rate).toBe(0)
    series.observe(0, 20)
    expect(series.sample(3_000)?.rate).toBe(10)
  })

  it('keeps only the last 60 seconds, in uPlot’s column layout with seconds on x', () => {
    const series = new LiveSeries()
    series.observe(2, 0)
    for (let t = 0; t <= 120_000; t += 500) series.sample(t)
    const [xs, depths, rates] = series.columns()
    expect(xs[0]).toBe((120_000 - SERIES_WINDOW_MS) / 1000)
    expect(xs[xs.length - 1]).toBe(120)
    expect(depths.every((d) => d === 2)).toBe(true)
    expect(rates).toHaveLength(xs.length)
    expect(series.size).toBe(SERIES_WINDOW_MS / 500 + 1)
  })
})
