import uPlot from 'uplot'
import { formatRate } from './format'

const COLORS = {
  depth: '#58a6ff',
  depthFill: 'rgba(88, 166, 255, 0.16)',
  rate: '#bc8cff',
  capacity: 'rgba(248, 81, 73, 0.75)',
  axis: '#8b95a3',
  grid: 'rgba(139, 149, 163, 0.14)',
} as const
const FONT = '10px ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace'
const WINDOW_S = 60

function relativeLabel(secondsFromNow: number): string {
  const s = Math.round(secondsFromNow)
  return s === 0 ? 'now' : `${s}s`
}

/**
 * The live chart: buffer depth (left axis, with the capacity as a dashed line) and commands
 * sent per second (right axis) over the last 60 s. The x range always ends at "now", so the
 * chart scrolls even when no snapshot arrives.
 */
export class DepthChart {
  private readonly plot: uPlot
  private readonly resizeObserver: ResizeObserver
  private capacity = 0
  private endS = Date.now() / 1000

  constructor(private readonly container: HTMLElement) {
    const axis = (extra: Partial<uPlot.Axis>): uPlot.Axis => ({
      stroke: COLORS.axis,
      font: FONT,
      grid: { stroke: COLORS.grid, width: 1 },
      ticks: { stroke: COLORS.grid, width: 1, size: 4 },
      ...extra,
    })
    const opts: uPlot.Options = {
      ...this.size(),
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: false, range: () => [this.endS - WINDOW_S, this.endS] },
        depth: { range: (_u, _min, max) => [0, Math.max(this.capacity, max ?? 0, 1)] },
        rate: { range: (_u, _min, max) => [0, Math.max(10, (max ?? 0) * 1.15)] },
      },
      axes: [
        axis({
          // Fixed ticks every 15 s, labelled relative to now: a live chart is read as "how long ago".
          splits: () => [60, 45, 30, 15, 0].map((ago) => this.endS - ago),
          values: (_u, splits) => splits.map((v) => relativeLabel(v - this.endS)),
        }),
        axis({ scale: 'depth', size: 38 }),
        axis({
          scale: 'rate',
          side: 1,
          size: 46,
          grid: { show: false },
          values: (_u, splits) => splits.map((v) => formatRate(v)),
        }),
      ],
      series: [
        {},
        {
          label: 'depth',
          scale: 'depth',
          stroke: COLORS.depth,
          fill: COLORS.depthFill,
          width: 1.5,
          points: { show: false },
          paths: uPlot.paths.stepped?.({ align: 1 }),
        },
        { label: 'sent/s', scale: 'rate', stroke: COLORS.rate, width: 1.5, points: { show: false } },
      ],
      hooks: { draw: [(u) => this.drawCapacity(u)] },
    }
    this.plot = new uPlot(opts, [[], [], []], container)
    this.resizeObserver = new ResizeObserver(() => this.plot.setSize(this.size()))
    this.resizeObserver.observe(container)
  }

  /** Redraws with `columns` (seconds, depths, rates) and the x range ending at `nowMs`. */
  update(columns: [number[], number[], number[]], capacity: number, nowMs: number): void {
    this.capacity = capacity
    this.endS = nowMs / 1000
    this.plot.setData(columns)
  }

  dispose(): void {
    this.resizeObserver.disconnect()
    this.plot.destroy()
  }

  private size(): { width: number; height: number } {
    return {
      width: Math.max(200, Math.floor(this.container.clientWidth)),
      height: Math.max(100, Math.floor(this.container.clientHeight)),
    }
  }

  /** The capacity line: the depth at which the oldest frames start being dropped. */
  private drawCapacity(u: uPlot): void {
    if (!(this.capacity > 0)) return
    const y = Math.round(u.valToPos(this.capacity, 'depth', true))
    const { left, width } = u.bbox
    const ctx = u.ctx
    ctx.save()
    ctx.strokeStyle = COLORS.capacity
    ctx.lineWidth = 1
    ctx.setLineDash([4, 4])
    ctx.beginPath()
    ctx.moveTo(left, y + 0.5)
    ctx.lineTo(left + width, y + 0.5)
    ctx.stroke()
    ctx.restore()
  }
}
