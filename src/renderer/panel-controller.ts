import type { DiagnosticsAction, DiagnosticsSnapshot } from '../shared/diagnostics'
import { Countdown } from './countdown'
import { DepthChart } from './depth-chart'
import { EventLogModel } from './event-log-model'
import { LiveSeries } from './live-series'
import type { LinkStatus, PanelSource } from './panel-source'
import type { PanelView } from './panel-view'
import { RenderScheduler } from './render-scheduler'

/** The countdown is redrawn this often, so a whole second never shows late by more than this. */
const COUNTDOWN_TICK_MS = 200
/** The chart gets one point per this interval. */
const SAMPLE_INTERVAL_MS = 500

const ACTION_LABELS: Record<DiagnosticsAction, string> = {
  'kill-host': 'Kill host',
  'stop-host': 'Stop host',
  'start-host': 'Start host',
  burst: 'Burst',
}

/**
 * Ties a data source to the view: keeps the newest snapshot, the event log, the chart series
 * and the countdown, and renders at most once per animation frame.
 */
export class PanelController {
  private latest: DiagnosticsSnapshot | undefined
  private readonly log = new EventLogModel()
  private readonly series = new LiveSeries()
  private readonly countdown = new Countdown()
  private readonly scheduler: RenderScheduler
  private chart: DepthChart | undefined
  private readonly intervals: number[] = []
  private disposed = false
  private linkStatus: LinkStatus | undefined

  constructor(
    private readonly view: PanelView,
    private readonly source: PanelSource,
    private readonly onUnauthorized: () => void,
  ) {
    this.scheduler = new RenderScheduler(() => this.render(), {
      requestAnimationFrame: (fn) => window.requestAnimationFrame(fn),
      cancelAnimationFrame: (handle) => window.cancelAnimationFrame(handle),
      setTimeout: (fn, ms) => window.setTimeout(fn, ms),
      clearTimeout: (handle) => window.clearTimeout(handle as number),
    })
  }

  start(): void {
    this.view.bindActions((action, count) => void this.act(action, count))
    this.chart = new DepthChart(this.view.chartContainer)
    this.intervals.push(
      window.setInterval(
        () => this.view.renderCountdown(this.countdown.msLeftAt(performance.now())),
        COUNTDOWN_TICK_MS,
      ),
      window.setInterval(() => this.sample(), SAMPLE_INTERVAL_MS),
    )
    this.source.start({
      snapshot: (s) => this.acceptSnapshot(s),
      status: (status) => {
        if (status === 'gone' && this.linkStatus !== 'gone') this.noteLauncherGone()
        this.linkStatus = status
        this.view.renderLinkStatus(status)
      },
      unauthorized: () => {
        this.dispose()
        this.onUnauthorized()
      },
    })
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.source.dispose()
    this.scheduler.dispose()
    for (const id of this.intervals.splice(0)) window.clearInterval(id)
    this.chart?.dispose()
    this.chart = undefined
    this.view.dispose()
  }

  private acceptSnapshot(s: DiagnosticsSnapshot): void {
    if (this.disposed) return
    // A reply to getSnapshot can arrive after a newer pushed snapshot; never go back in time.
    if (this.latest && s.at < this.latest.at) return
    this.latest = s
    this.countdown.set(s.expiresInMs, performance.now())
    this.series.observe(s.pending, s.counters.sent)
    this.log.addRing(Array.isArray(s.events) ? s.events : [])
    this.scheduler.schedule()
  }

  private render(): void {
    if (this.disposed) return
    if (this.latest) this.view.renderSnapshot(this.latest)
    this.view.renderCountdown(this.countdown.msLeftAt(performance.now()))
    this.view.renderLog(this.log.newestFirst())
  }

  private sample(): void {
    const now = Date.now()
    const point = this.series.sample(now)
    this.chart?.update(this.series.columns(), this.latest?.capacity ?? 0, now)
    if (point) this.view.renderLegend(point.depth, point.rate)
  }

  /** In the log too, where it stays once the launcher is back. */
  private noteLauncherGone(): void {
    this.log.addLocal({
      at: Date.now(),
      level: 'error',
      kind: 'error',
      text: 'launcher gone: it stopped or no longer answers',
      isSagaFailure: false,
    })
    this.scheduler.schedule()
  }

  private async act(action: DiagnosticsAction, count?: number): Promise<void> {
    const label = ACTION_LABELS[action] + (count === undefined ? '' : ` ${count}`)
    this.view.showActionStatus(`${label}…`, undefined)
    const result = await this.source.act(action, count)
    if (this.disposed) return
    if (result.ok) {
      this.view.showActionStatus(`${label}: accepted${result.detail ? ` — ${result.detail}` : ''}`, true)
      return
    }
    this.view.showActionStatus(`${label}: ${result.error}`, false)
    // Also in the log, where it stays: the status line is overwritten by the next action.
    this.log.addLocal({
      at: Date.now(),
      level: 'error',
      kind: 'error',
      text: `${label} failed: ${result.error}`,
      isSagaFailure: false,
    })
    this.scheduler.schedule()
  }
}
