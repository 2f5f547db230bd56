import { describe, expect, it } from 'vitest'
import { benchConfig } from '../../bench/bench-config'
import { parseBenchArgs } from '../../bench/bench-options'
import { formatTable, summaryOf, type BenchResults } from '../../bench/report'
import { median, percentile } from '../../bench/stats'
import { meetsTarget } from '../../bench/targets'

// The bench measures; these only check its plumbing (no timing, no processes), so `npm test`
// does not depend on how fast this machine is.

const round = { perSecond: 1000, launcherCpuUs: 1, hostCpuUs: 1 }
const throughput = {
  workload: 'w',
  ratio: 0.95,
  raw: round,
  pipe: round,
  pairs: [{ raw: round, pipe: round, ratio: 0.95 }],
  commandsPerRound: 10,
}
const latency = {
  p50Ms: 0.1,
  p99Ms: 0.4,
  pooledP99Ms: 0.5,
  maxMs: 2,
  roundP99Ms: [0.4],
  samples: 10,
}
const results: Required<BenchResults> = {
  throughput: { main: throughput, saga: throughput, config: benchConfig(true).throughput },
  latency: { pipe: latency, raw: latency, config: benchConfig(true).latency },
  reconnect: {
    reconnectMs: 180.04,
    samples: [
      { exitMs: 10, spawnMs: 80, registeredMs: 170, drainedMs: 180.04, inFlightAtKill: 500, buffered: 64 },
    ],
    config: benchConfig(true).reconnect,
  },
  rss: {
    growthMb: 3.456,
    beforeMb: 80,
    afterMb: 83.456,
    peakMb: 90,
    heapBeforeMb: 10,
    heapAfterMb: 10,
    commandsPerSecond: 1000,
    config: benchConfig(true).rss,
  },
  coldStart: {
    coldStartMs: 101.26,
    bareStartMs: 80.04,
    hostSamples: [101.26],
    bareSamples: [80.04],
    config: benchConfig(true).coldStart,
  },
  failover: {
    failoverMs: 12.34,
    samples: [{ promotedMs: 5, drainedMs: 12.34, buffered: 10 }],
    standbyRssMb: 41.26,
    chaos: {
      started: 100_000,
      failed: 50,
      kills: 30,
      failedPct: 0.05,
      reasons: { 'host disconnected before ack': 50 },
    },
    chaosRetry: { started: 100_000, failed: 0, kills: 30, failedPct: 0, reasons: {} },
    config: benchConfig(true).failover,
  },
}

describe('bench output', () => {
  it('summarises a run as the ARCHITECTURE §7 object, keys in order', () => {
    const line = JSON.stringify(summaryOf(results))
    expect(line).toBe(
      '{"throughputRatio":0.95,"p50Ms":0.1,"p99Ms":0.4,"reconnectMs":180,"rssGrowthMb":3.46,' +
        '"failoverMs":12.3,"coldStartMs":101.3,"bareStartMs":80,"chaosFailedPct":0.05,"chaosRetryFailedPct":0,' +
        '"standbyRssMb":41.3}',
    )
  })

  it('prints a Markdown table with a row per metric', () => {
    const table = formatTable(results, benchConfig(false), new Date(0))
    for (const metric of [
      'throughputRatio',
      'p50Ms',
      'p99Ms',
      'reconnectMs',
      'rssGrowthMb',
      'failoverMs',
      'chaosFailedPct',
      'chaosRetryFailedPct',
      'standbyRssMb',
      'coldStartMs',
      'bareStartMs',
    ])
      expect(table).toMatch(new RegExp(`^\\| ${metric} \\|`, 'm'))
    expect(table).not.toMatch(/missed/)
  })

  it('judges each target on the right side of its bound', () => {
    expect(meetsTarget('throughputRatio', 0.9)).toBe(true)
    expect(meetsTarget('throughputRatio', 0.89)).toBe(false)
    expect(meetsTarget('p99Ms', 1)).toBe(false)
    expect(meetsTarget('reconnectMs', Number.NaN)).toBe(false)
    expect(meetsTarget('failoverMs', 19.9)).toBe(true)
    expect(meetsTarget('chaosFailedPct', 1)).toBe(false)
    expect(meetsTarget('chaosRetryFailedPct', 0.09)).toBe(true)
    expect(meetsTarget('coldStartOverheadMs', 29)).toBe(true)
  })

  it('takes --json, --quick and --only, and refuses --json without every scenario', () => {
    expect(parseBenchArgs(['--json', '--quick'])).toMatchObject({
      ok: true,
      options: { json: true, quick: true },
    })
    expect(parseBenchArgs(['--only=latency'])).toMatchObject({ ok: true, options: { only: ['latency'] } })
    expect(parseBenchArgs(['--json', '--only=rss'])).toMatchObject({ ok: false })
    expect(parseBenchArgs(['--fast'])).toMatchObject({ ok: false })
  })

  it('takes nearest-rank percentiles', () => {
    const values = [5, 1, 4, 2, 3]
    expect(median(values)).toBe(3)
    expect(percentile(values, 99)).toBe(5)
    expect(percentile(values, 0)).toBe(1)
    expect(percentile([], 50)).toBeNaN()
  })
})
