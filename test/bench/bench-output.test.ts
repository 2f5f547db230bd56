import { describe, expect, it } from 'vitest'
import { benchConfig } from '../../bench/bench-config'
import { parseBenchArgs } from '../../bench/bench-options'
import type { LatencyStats } from '../../bench/latency'
import {
  LINE_FIRST_FLUSH_BYTES,
  LINE_FLUSH_BYTES,
  LINE_SEND_HIGH_WATER,
} from '../../bench/ndjson-line-writer'
import { MAX_LINE_CHARS } from '../../bench/ndjson-line-reader'
import {
  busyTicksOf,
  loadResultOf,
  OTHER_LOAD_THRESHOLD_CORES,
  otherCoresBetween,
  processTicksOf,
  treeTicks,
} from '../../bench/other-load'
import { formatTable, summaryOf, withSpread, type BenchResults } from '../../bench/report'
import { median, percentile, spreadOf } from '../../bench/stats'
import { meetsTarget } from '../../bench/targets'
import type { WorkloadThroughput } from '../../bench/throughput'
import { MAX_FRAME_BYTES } from '../../src/shared/protocol'
import { fakeCallResult, fakeCallResultWithoutPeers } from '../support/fake-call-result'
import {
  SOCKET_FIRST_FLUSH_BYTES,
  SOCKET_FLUSH_BYTES,
  SOCKET_SEND_HIGH_WATER,
} from '../../src/main/ipc/socket-connection'

// The bench measures; these only check its plumbing (no timing, no processes), so `npm test`
// does not depend on how fast this machine is.

const side = (perSecond: number) => ({ perSecond, launcherCpuUs: 1, hostCpuUs: 2 })
// Three rounds: HostPipe ÷ raw is 0.95, 0.9 and 1.0; HostPipe ÷ bare 0.5, 0.45 and 0.5.
const main: WorkloadThroughput = {
  workload: 'w',
  sides: ['raw', 'pipe', 'bare', 'birpc', 'jsonrpc'],
  rounds: [
    { raw: side(1000), pipe: side(950), bare: side(1900), birpc: side(400), jsonrpc: side(100) },
    { raw: side(1000), pipe: side(900), bare: side(2000), birpc: side(500), jsonrpc: side(80) },
    { raw: side(1000), pipe: side(1000), bare: side(2000), birpc: side(300), jsonrpc: side(120) },
  ],
  ratio: 0.95,
  commandsPerRound: { raw: 10, pipe: 10, bare: 10, birpc: 5, jsonrpc: 5 },
}
const saga: WorkloadThroughput = {
  workload: 's',
  sides: ['raw', 'pipe'],
  rounds: [{ raw: side(1000), pipe: side(900) }],
  ratio: 0.9,
  commandsPerRound: { raw: 10, pipe: 10 },
}
const latency = (p50: number[], p99: number[]): LatencyStats => ({
  p50Ms: median(p50),
  p99Ms: median(p99),
  roundP50Ms: p50,
  roundP99Ms: p99,
  pooledP99Ms: 0.5,
  maxMs: 2,
  samples: 10,
})
const quiet = loadResultOf([{ scenario: 'throughput', otherCores: 0.02 }], true)
const results: Required<BenchResults> = {
  throughput: { main, saga, config: benchConfig(true).throughput },
  latency: {
    pipe: latency([0.1, 0.12, 0.09], [0.4, 0.5, 0.3]),
    raw: latency([0.1], [0.4]),
    peers: { birpc: latency([0.2], [0.8]), jsonrpc: latency([1.5], [4.25]) },
    config: benchConfig(true).latency,
  },
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
  call: fakeCallResult,
  pool: {
    poolSpeedup: 1.851,
    ratios: spreadOf([1.8, 1.851, 1.9]),
    perSecond: { one: [40, 41, 39], two: [74, 76, 72] },
    spinRounds: 12_000_000,
    hostRssMb: 52.34,
  },
  stream: {
    roundChunksPerSec: [90_000, 100_000, 110_000],
    slowConsumer: { beforeMb: 80, peakMb: 82.46, afterMb: 81, chunks: 300 },
    config: benchConfig(true).stream,
  },
  bytes: {
    bytesMBps: 400.4,
    bytesRatio: 0.61,
    ratios: spreadOf([0.55, 0.61, 0.7]),
    bytesCutThroughRatio: 0.4,
    cutThroughRatios: spreadOf([0.35, 0.4, 0.45]),
    perRound: { launcher: [380, 400.4, 420], raw: [700, 656, 600], cutThrough: [1000, 1001, 1100] },
    callsPerSec: 24_000,
    config: benchConfig(true).bytes,
  },
  load: quiet,
}

describe('bench output', () => {
  it('summarises a run as the ARCHITECTURE §7 object, keys in order, with peers, load and spreads', () => {
    const line = JSON.stringify(summaryOf(results))
    expect(line).toBe(
      '{"throughputRatio":0.95,"p50Ms":0.1,"p99Ms":0.4,"reconnectMs":180,"rssGrowthMb":3.46,' +
        '"failoverMs":12.3,"coldStartMs":101.3,"bareStartMs":80,"chaosFailedPct":0.05,"chaosRetryFailedPct":0,"standbyRssMb":41.3,' +
        '"poolSpeedup":1.85,"hostRssMb":52.3,"bareRatio":0.5,' +
        '"callsPerSec":25000,"callRatio":0.25,"callP50Ms":0.25,"callP99Ms":0.9,"rawCallP50Ms":0.1,"rawCallP99Ms":0.5,' +
        '"streamChunksPerSec":100000,"streamSlowConsumerRssMb":82.5,"bytesMBps":400,"bytesRatio":0.61,"bytesCutThroughRatio":0.4,' +
        '"peers":{"birpc":{"ratio":0.4,"p50Ms":0.2,"p99Ms":0.8},"jsonrpc":{"ratio":0.1,"p50Ms":1.5,"p99Ms":4.25},' +
        '"birpcCall":{"ratio":0.5},"comlinkCall":{"ratio":0.3},"jsonrpcCall":{"ratio":0.1}},' +
        '"loadWarning":false,"otherLoadCores":0.02,' +
        '"spread":{"throughputRatio":[0.9,1],"bareRatio":[0.45,0.5],"p50Ms":[0.09,0.12],"p99Ms":[0.3,0.5],' +
        '"reconnectMs":[180,180],"failoverMs":[12.3,12.3],"coldStartMs":[101.3,101.3],"bareStartMs":[80,80],' +
        '"callsPerSec":[20000,30000],"callRatio":[0.2,0.3],"callP50Ms":[0.2,0.3],"callP99Ms":[0.8,1],' +
        '"poolSpeedup":[1.8,1.9],"streamChunksPerSec":[90000,110000],"bytesRatio":[0.55,0.7],"bytesCutThroughRatio":[0.35,0.45]}}',
    )
  })

  it('leaves peers out of the JSON line when the run had no --peers', () => {
    const withoutPeers: Required<BenchResults> = {
      ...results,
      throughput: {
        ...results.throughput,
        main: { ...main, sides: ['raw', 'pipe', 'bare'] },
      },
      latency: { ...results.latency, peers: {} },
      call: fakeCallResultWithoutPeers,
    }
    const summary = summaryOf(withoutPeers)
    expect(summary).not.toHaveProperty('peers')
    expect(summary.bareRatio).toBe(0.5)
  })

  it('prints a Markdown table with a row per metric, each median with its range', () => {
    const table = formatTable(results, benchConfig(false), new Date(0))
    for (const metric of [
      'throughputRatio',
      'bareRatio',
      'peers.birpc',
      'peers.jsonrpc',
      'p50Ms',
      'p99Ms',
      'reconnectMs',
      'rssGrowthMb',
      'failoverMs',
      'chaosFailedPct',
      'chaosRetryFailedPct',
      'standbyRssMb',
      'poolSpeedup',
      'hostRssMb',
      'coldStartMs',
      'bareStartMs',
      'otherLoadCores',
    ])
      expect(table).toMatch(new RegExp(`^\\| ${metric.replace('.', '\\.')} \\|`, 'm'))
    expect(table).toMatch(/^\| throughputRatio \| 0\.950 \(0\.900–1\.000\) \| ≥ 0\.95 \| met \|/m)
    expect(table).toMatch(/^\| bareRatio \| 0\.500 \(0\.450–0\.500\) \| ≥ 0\.9 \| \*\*missed\*\* \|/m)
    expect(table).toMatch(
      /^\| p50Ms \| 0\.100 \(0\.090–0\.120\) \| ≤ 1\.1× raw \| met \| raw baseline 0\.100 ms \(1\.00× raw\)/m,
    )
    expect(table).toMatch(/^\| p99Ms \| 0\.400 \(0\.300–0\.500\) \| < 1 ms \| met \|/m)
    expect(table).toMatch(/^\| otherLoadCores \| 0\.02 \| .* \| quiet \|/m)
    expect(table).not.toMatch(/not judged/)
  })

  it('judges no target and sets loadWarning when other load passed the threshold', () => {
    const load = loadResultOf(
      [
        { scenario: 'throughput', otherCores: 0.05 },
        { scenario: 'latency', otherCores: OTHER_LOAD_THRESHOLD_CORES + 0.01 },
      ],
      true,
    )
    expect(load).toMatchObject({ warning: true, maxOtherCores: OTHER_LOAD_THRESHOLD_CORES + 0.01 })
    const loaded = { ...results, load }
    expect(summaryOf(loaded).loadWarning).toBe(true)
    const table = formatTable(loaded, benchConfig(false), new Date(0))
    // The numbers are still printed; no target reads as met or missed.
    expect(table).toMatch(/^\| throughputRatio \| 0\.950 /m)
    expect(table).not.toMatch(/\| met \||missed/)
    for (const metric of [
      'throughputRatio',
      'bareRatio',
      'p99Ms',
      'reconnectMs',
      'failoverMs',
      'coldStartMs',
    ])
      expect(table).toMatch(
        new RegExp(`^\\| ${metric} \\| [^|]+ \\| [^|]+ \\| not judged \\(load\\) \\|`, 'm'),
      )
    expect(table).toMatch(/\*\*loadWarning\*\*/)
  })

  it('warns when the load cannot be measured, and not at or under the threshold', () => {
    expect(loadResultOf([], false).warning).toBe(true)
    expect(loadResultOf([{ scenario: 'rss', otherCores: OTHER_LOAD_THRESHOLD_CORES }], true).warning).toBe(
      false,
    )
  })

  it('judges each target on the right side of its bound', () => {
    expect(meetsTarget('throughputRatio', 0.95)).toBe(true)
    expect(meetsTarget('throughputRatio', 0.949)).toBe(false)
    expect(meetsTarget('bareRatio', 0.9)).toBe(true)
    expect(meetsTarget('bareRatio', 0.89)).toBe(false)
    expect(meetsTarget('p99Ms', 1)).toBe(false)
    expect(meetsTarget('p50VsRaw', 1.1)).toBe(true)
    expect(meetsTarget('p50VsRaw', 1.11)).toBe(false)
    expect(meetsTarget('reconnectMs', Number.NaN)).toBe(false)
    expect(meetsTarget('failoverMs', 19.9)).toBe(true)
    expect(meetsTarget('chaosFailedPct', 1)).toBe(false)
    expect(meetsTarget('chaosRetryFailedPct', 0.09)).toBe(true)
    expect(meetsTarget('coldStartOverheadMs', 29)).toBe(true)
  })

  it('takes --json, --quick, --peers and --only, and refuses --json without every scenario', () => {
    expect(parseBenchArgs(['--json', '--quick'])).toMatchObject({
      ok: true,
      options: { json: true, quick: true, peers: false },
    })
    expect(parseBenchArgs(['--json', '--peers'])).toMatchObject({
      ok: true,
      options: { json: true, peers: true },
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

  it('gives every median its range, and a lone or constant value alone', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 })
    expect(withSpread(spreadOf([3, 1, 2]), (n) => n.toFixed(1))).toBe('2.0 (1.0–3.0)')
    expect(withSpread(spreadOf([3]), (n) => n.toFixed(1))).toBe('3.0')
    expect(withSpread(spreadOf([3, 3]), (n) => n.toFixed(1))).toBe('3.0')
  })

  it('reads busy ticks from /proc/stat and a process tree from /proc/<pid>/stat lines', () => {
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    expect(busyTicksOf('cpu  100 5 20 900 7 1 2 3 0 0\ncpu0 50 0 10 450 3 0 1 1 0 0\n')).toBe(131)
    expect(() => busyTicksOf('intr 1 2 3\n')).toThrow(/aggregate "cpu" line/)
    // pid (comm) state ppid … utime(14) stime(15) cutime(16) cstime(17): a comm with spaces and parens.
    const stat = (pid: number, ppid: number, ticks: [number, number, number, number]): string =>
      `${pid} (node (x) y) S ${ppid} ${pid} ${pid} 0 -1 4194560 1 0 0 0 ${ticks.join(' ')} 20 0 1 0 5 6 7`
    expect(processTicksOf(stat(10, 1, [1, 2, 3, 4]))).toEqual({ ppid: 1, ticks: 10 })
    const stats = new Map([
      [10, stat(10, 1, [100, 10, 5, 0])],
      [11, stat(11, 10, [50, 5, 0, 0])],
      [12, stat(12, 11, [7, 0, 0, 0])],
      [13, stat(13, 1, [999, 0, 0, 0])],
    ])
    // 10 and its descendants 11 and 12; 13 is someone else's.
    expect(treeTicks(stats, 10)).toBe(177)
  })

  it('counts as other load the busy time this bench and its children did not spend', () => {
    const before = { atMs: 0, busyTicks: 1000, ownTicks: 100 }
    // 2 s = 200 ticks a core: 300 busy ticks, 250 of them ours → 0.25 cores of someone else's.
    expect(otherCoresBetween(before, { atMs: 2000, busyTicks: 1300, ownTicks: 350 })).toBeCloseTo(0.25)
    // Rounding of ticks can make ours exceed the machine's: never negative.
    expect(otherCoresBetween(before, { atMs: 1000, busyTicks: 1100, ownTicks: 210 })).toBe(0)
  })

  it("spells the protocol's and SocketConnection's limits as they do", () => {
    expect(MAX_LINE_CHARS).toBe(MAX_FRAME_BYTES)
    expect(LINE_FLUSH_BYTES).toBe(SOCKET_FLUSH_BYTES)
    expect(LINE_FIRST_FLUSH_BYTES).toBe(SOCKET_FIRST_FLUSH_BYTES)
    expect(LINE_SEND_HIGH_WATER).toBe(SOCKET_SEND_HIGH_WATER)
  })
})
