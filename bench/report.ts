import { cpus } from 'node:os'
import type { BenchConfig } from './bench-config'
import type { ColdStartResult } from './cold-start'
import type { FailoverResult } from './failover'
import type { LatencyResult } from './latency'
import type { ReconnectResult } from './reconnect'
import type { RssResult } from './rss'
import { median, round } from './stats'
import { meetsTarget, TARGETS, type BenchSummary } from './targets'
import type { ThroughputResult, WorkloadThroughput } from './throughput'

export interface BenchResults {
  throughput?: ThroughputResult
  latency?: LatencyResult
  reconnect?: ReconnectResult
  rss?: RssResult
  coldStart?: ColdStartResult
  failover?: FailoverResult
}

/** The §7 line: every value rounded to what the machine can tell apart. */
export function summaryOf(r: Required<BenchResults>): BenchSummary {
  return {
    throughputRatio: round(r.throughput.main.ratio, 3),
    p50Ms: round(r.latency.pipe.p50Ms, 3),
    p99Ms: round(r.latency.pipe.p99Ms, 3),
    reconnectMs: round(r.reconnect.reconnectMs, 1),
    rssGrowthMb: round(r.rss.growthMb, 2),
    failoverMs: round(r.failover.failoverMs, 1),
    coldStartMs: round(r.coldStart.coldStartMs, 1),
    bareStartMs: round(r.coldStart.bareStartMs, 1),
    chaosFailedPct: round(r.failover.chaos.failedPct, 3),
    chaosRetryFailedPct: round(r.failover.chaosRetry.failedPct, 3),
    standbyRssMb: round(r.failover.standbyRssMb, 1),
  }
}

const perSecond = (n: number): string => `${Math.round(n).toLocaleString('en-US')}/s`
const ms = (n: number, digits = 3): string => `${n.toFixed(digits)} ms`
const mark = (ok: boolean): string => (ok ? 'met' : '**missed**')

/** A Markdown table: readable in a terminal, pasted as is into the README. */
export function formatTable(r: BenchResults, config: BenchConfig, date: Date): string {
  const cpu = cpus()
  const rows: string[][] = []
  if (r.throughput) {
    const { main, saga } = r.throughput
    const rates = (t: WorkloadThroughput): string =>
      `HostPipe ${perSecond(t.pipe.perSecond)} vs raw ${perSecond(t.raw.perSecond)}; launcher CPU ` +
      `${t.pipe.launcherCpuUs.toFixed(2)} vs ${t.raw.launcherCpuUs.toFixed(2)} µs/command, host ` +
      `${t.pipe.hostCpuUs.toFixed(2)} vs ${t.raw.hostCpuUs.toFixed(2)}`
    rows.push([
      'throughputRatio',
      main.ratio.toFixed(3),
      TARGETS.throughputRatio.label,
      mark(meetsTarget('throughputRatio', main.ratio)),
      `${main.workload}: ${rates(main)}; median of ${main.pairs.length} alternating pairs × ` +
        `${main.commandsPerRound.toLocaleString('en-US')} commands (pair ratios ` +
        `${main.pairs.map((p) => p.ratio.toFixed(2)).join(' ')})`,
    ])
    rows.push([
      '(saga workload)',
      saga.ratio.toFixed(3),
      '—',
      '',
      `${saga.workload}: ${rates(saga)}; median of ${saga.pairs.length} pairs × ` +
        `${saga.commandsPerRound.toLocaleString('en-US')}`,
    ])
  }
  if (r.latency) {
    const l = r.latency
    rows.push([
      'p50Ms',
      l.pipe.p50Ms.toFixed(3),
      '—',
      '',
      `raw baseline ${ms(l.raw.p50Ms)}; median of ${l.config.rounds} rounds × ${l.config.roundMs / 1000} s at 10k/s`,
    ])
    rows.push([
      'p99Ms',
      l.pipe.p99Ms.toFixed(3),
      TARGETS.p99Ms.label,
      mark(meetsTarget('p99Ms', l.pipe.p99Ms)),
      `raw baseline ${ms(l.raw.p99Ms)}; per round ${l.pipe.roundP99Ms.map((x) => x.toFixed(2)).join(' ')}; ` +
        `pooled p99 ${ms(l.pipe.pooledP99Ms)}, max ${ms(l.pipe.maxMs, 1)} over ${l.pipe.samples.toLocaleString('en-US')} commands`,
    ])
  }
  if (r.reconnect) {
    const c = r.reconnect
    const med = (f: (s: ReconnectResult['samples'][number]) => number, digits = 1): string =>
      median(c.samples.map(f)).toFixed(digits)
    rows.push([
      'reconnectMs',
      c.reconnectMs.toFixed(1),
      TARGETS.reconnectMs.label,
      mark(meetsTarget('reconnectMs', c.reconnectMs)),
      `median of ${c.samples.length} kills; after the SIGKILL: exit seen ${med((s) => s.exitMs)}, ` +
        `respawn ${med((s) => s.spawnMs)}, registered ${med((s) => s.registeredMs)}, drained ${med((s) => s.drainedMs)} ms ` +
        `(${med((s) => s.inFlightAtKill, 0)} in flight at the kill, ${med((s) => s.buffered, 0)} buffered)`,
    ])
  }
  if (r.rss) {
    const m = r.rss
    rows.push([
      'rssGrowthMb',
      m.growthMb.toFixed(2),
      TARGETS.rssGrowthMb.label,
      mark(meetsTarget('rssGrowthMb', m.growthMb)),
      `launcher child process, --expose-gc: ${m.beforeMb.toFixed(1)} → ${m.afterMb.toFixed(1)} MB after full GCs ` +
        `over ${m.config.commands.toLocaleString('en-US')} commands (peak ${m.peakMb.toFixed(1)} MB, ` +
        `heap ${m.heapBeforeMb.toFixed(1)} → ${m.heapAfterMb.toFixed(1)} MB, ${perSecond(m.commandsPerSecond)})`,
    ])
  }
  if (r.failover) {
    const f = r.failover
    const med = (g: (s: FailoverResult['samples'][number]) => number): string =>
      median(f.samples.map(g)).toFixed(1)
    rows.push([
      'failoverMs',
      f.failoverMs.toFixed(1),
      TARGETS.failoverMs.label,
      mark(meetsTarget('failoverMs', f.failoverMs)),
      `median of ${f.samples.length} SIGKILLs of the active host with a standby ready: promoted ` +
        `${med((s) => s.promotedMs)}, drained ${med((s) => s.drainedMs)} ms after the kill`,
    ])
    const chaosDetail = (c: FailoverResult['chaos'], cmd: string): string =>
      `${c.failed.toLocaleString('en-US')} of ${c.started.toLocaleString('en-US')} ${cmd} sagas failed, ` +
      `10k/s offered for ${f.config.chaosMs / 1000} s, ${c.kills} SIGKILLs (one a second)` +
      (c.failed > 0
        ? ': ' +
          Object.entries(c.reasons)
            .map(([reason, n]) => `${n} ${reason}`)
            .join(', ')
        : '')
    rows.push([
      'chaosFailedPct',
      f.chaos.failedPct.toFixed(3),
      TARGETS.chaosFailedPct.label,
      mark(meetsTarget('chaosFailedPct', f.chaos.failedPct)),
      chaosDetail(f.chaos, 'spawn_pool_window (at-most-once)'),
    ])
    rows.push([
      'chaosRetryFailedPct',
      f.chaosRetry.failedPct.toFixed(3),
      TARGETS.chaosRetryFailedPct.label,
      mark(meetsTarget('chaosRetryFailedPct', f.chaosRetry.failedPct)),
      chaosDetail(f.chaosRetry, 'reap_panes (retried on host loss)'),
    ])
    rows.push(['standbyRssMb', f.standbyRssMb.toFixed(1), '—', '', 'VmRSS of one idle standby host'])
  }
  if (r.coldStart) {
    const c = r.coldStart
    const overhead = c.coldStartMs - c.bareStartMs
    rows.push([
      'coldStartMs',
      c.coldStartMs.toFixed(1),
      TARGETS.coldStartOverheadMs.label,
      mark(meetsTarget('coldStartOverheadMs', overhead)),
      `host fork → register line on the socket, median of ${c.config.pairs} alternating pairs; ` +
        `${overhead.toFixed(1)} ms over bareStartMs`,
    ])
    rows.push([
      'bareStartMs',
      c.bareStartMs.toFixed(1),
      '—',
      '',
      'a one-line Node script forked the same way, connecting and writing one line',
    ])
  }
  const header = ['metric', 'result', 'target', '', 'detail']
  const lines = [
    `hostpipe bench, ${config.mode} mode, ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC, ` +
      `node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ]
  return lines.join('\n')
}
