import { cpus } from 'node:os'
import type { BenchConfig } from './bench-config'
import { callRatioSpread, callSideSpread, type CallResult } from './call'
import {
  CALL_PEERS,
  CALL_SIDE_LABELS,
  CALLS_OUTSTANDING,
  type CallPeerName,
  type CallSideName,
} from './call-sides'
import { DEFAULT_CONCURRENCY } from '../src/main/launcher/call-router'
import type { ColdStartResult } from './cold-start'
import type { FailoverResult } from './failover'
import type { LatencyResult, LatencyStats } from './latency'
import type { LoadResult } from './other-load'
import type { PeerName } from './peer-rig'
import type { PoolResult } from './pool'
import type { ReconnectResult } from './reconnect'
import type { RssResult } from './rss'
import { round, spreadOf, type Spread } from './stats'
import { BYTES_PAYLOAD, type BytesResult } from './bytes'
import { STREAM_CHUNK_BYTES, SLOW_CONSUMER_INTERVAL_MS, type StreamResult } from './stream'
import {
  meetsTarget,
  TARGETS,
  type BenchSummary,
  type PeerCallSummary,
  type PeerSummary,
  type SpreadKey,
} from './targets'
import {
  ratioSpread,
  sideSpread,
  type ThroughputResult,
  type ThroughputSide,
  type WorkloadThroughput,
} from './throughput'

export interface BenchResults {
  throughput?: ThroughputResult
  latency?: LatencyResult
  reconnect?: ReconnectResult
  rss?: RssResult
  coldStart?: ColdStartResult
  failover?: FailoverResult
  call?: CallResult
  pool?: PoolResult
  stream?: StreamResult
  bytes?: BytesResult
  /** Other processes' load during the run (every scenario that ran). */
  load?: LoadResult
}

const PEER_LABELS: Record<PeerName, string> = { birpc: 'birpc', jsonrpc: 'vscode-jsonrpc' }

/** The JSON line: every value rounded to what the machine can tell apart. */
export function summaryOf(r: Required<BenchResults>): BenchSummary {
  const { main } = r.throughput
  const { call } = r
  const callsPerSec = callSideSpread(call, 'pipe', 'perSecond')
  const callRatio = callRatioSpread(call, 'pipe', 'raw')
  const callP50 = spreadOf(call.latency.pipe.roundP50Ms)
  const callP99 = spreadOf(call.latency.pipe.roundP99Ms)
  const streamChunks = spreadOf(r.stream.roundChunksPerSec)
  const range = (s: Spread, digits: number): [number, number] => [round(s.min, digits), round(s.max, digits)]
  const spread: Record<SpreadKey, [number, number]> = {
    throughputRatio: range(ratioSpread(main, 'pipe', 'raw'), 3),
    bareRatio: range(ratioSpread(main, 'pipe', 'bare'), 3),
    p50Ms: range(spreadOf(r.latency.pipe.roundP50Ms), 3),
    p99Ms: range(spreadOf(r.latency.pipe.roundP99Ms), 3),
    reconnectMs: range(spreadOf(r.reconnect.samples.map((s) => s.drainedMs)), 1),
    failoverMs: range(spreadOf(r.failover.samples.map((s) => s.drainedMs)), 1),
    coldStartMs: range(spreadOf(r.coldStart.hostSamples), 1),
    bareStartMs: range(spreadOf(r.coldStart.bareSamples), 1),
    callsPerSec: range(callsPerSec, 0),
    callRatio: range(callRatio, 3),
    callP50Ms: range(callP50, 3),
    callP99Ms: range(callP99, 3),
    poolSpeedup: range(r.pool.ratios, 2),
    streamChunksPerSec: range(streamChunks, 0),
    bytesRatio: range(r.bytes.ratios, 3),
    bytesCutThroughRatio: range(r.bytes.cutThroughRatios, 3),
  }
  const peer = (name: PeerName): PeerSummary | undefined => {
    const latency = r.latency.peers[name]
    if (!main.sides.includes(name) || !latency) return undefined
    return {
      ratio: round(ratioSpread(main, name, 'raw').median, 3),
      p50Ms: round(latency.p50Ms, 3),
      p99Ms: round(latency.p99Ms, 3),
    }
  }
  const birpc = peer('birpc')
  const jsonrpc = peer('jsonrpc')
  const peerCall = (name: CallPeerName): PeerCallSummary | undefined =>
    call.sides.includes(name) ? { ratio: round(callRatioSpread(call, name, 'raw').median, 3) } : undefined
  const birpcCall = peerCall('birpc')
  const comlinkCall = peerCall('comlink')
  const jsonrpcCall = peerCall('jsonrpc')
  return {
    throughputRatio: round(main.ratio, 3),
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
    poolSpeedup: round(r.pool.poolSpeedup, 2),
    hostRssMb: round(r.pool.hostRssMb, 1),
    bareRatio: round(ratioSpread(main, 'pipe', 'bare').median, 3),
    callsPerSec: round(callsPerSec.median, 0),
    callRatio: round(callRatio.median, 3),
    ...(call.sides.includes('pipeWide') && {
      callRatioWide: round(callRatioSpread(call, 'pipeWide', 'raw').median, 3),
    }),
    ...(call.sides.includes('rawWindow') && {
      rawWindowRatio: round(callRatioSpread(call, 'rawWindow', 'raw').median, 3),
      callRatioSameWindow: round(callRatioSpread(call, 'pipe', 'rawWindow').median, 3),
    }),
    callP50Ms: round(callP50.median, 3),
    callP99Ms: round(callP99.median, 3),
    rawCallP50Ms: round(spreadOf(call.latency.raw.roundP50Ms).median, 3),
    rawCallP99Ms: round(spreadOf(call.latency.raw.roundP99Ms).median, 3),
    streamChunksPerSec: round(streamChunks.median, 0),
    streamSlowConsumerRssMb: round(r.stream.slowConsumer.peakMb, 1),
    bytesMBps: round(r.bytes.bytesMBps, 0),
    bytesRatio: round(r.bytes.bytesRatio, 3),
    bytesCutThroughRatio: round(r.bytes.bytesCutThroughRatio, 3),
    ...(birpc && jsonrpc
      ? {
          peers: {
            birpc,
            jsonrpc,
            ...(birpcCall && { birpcCall }),
            ...(comlinkCall && { comlinkCall }),
            ...(jsonrpcCall && { jsonrpcCall }),
          },
        }
      : {}),
    loadWarning: r.load.warning,
    otherLoadCores: round(r.load.maxOtherCores, 3),
    spread,
  }
}

const perSecond = (n: number): string => `${Math.round(n).toLocaleString('en-US')}/s`
const ms = (n: number, digits = 3): string => `${n.toFixed(digits)} ms`
const fixed =
  (digits: number) =>
  (n: number): string =>
    n.toFixed(digits)

/**
 * A median with its range beside it: `0.936 (0.880–0.970)`; just the value when there is one value
 * or all were equal.
 */
export function withSpread(s: Spread, format: (n: number) => string): string {
  return s.n > 1 && s.min !== s.max
    ? `${format(s.median)} (${format(s.min)}–${format(s.max)})`
    : format(s.median)
}

/** p50 and p99 (medians of the rounds, with their ranges) of one side at 10k/s. */
function latencyText(l: LatencyStats): string {
  return (
    `p50 ${withSpread(spreadOf(l.roundP50Ms), fixed(3))} ms, ` +
    `p99 ${withSpread(spreadOf(l.roundP99Ms), fixed(3))} ms`
  )
}

/** A Markdown table: readable in a terminal, pasted as is into the README. */
export function formatTable(r: BenchResults, config: BenchConfig, date: Date): string {
  const cpu = cpus()
  const isLoaded = r.load?.warning ?? false
  // On a loaded machine no timing is judged either way: a miss may be the load's, a pass luck.
  const mark = (ok: boolean): string => (isLoaded ? 'not judged (load)' : ok ? 'met' : '**missed**')
  const rows: string[][] = []
  if (r.throughput) {
    const { main, saga } = r.throughput
    const side = (w: WorkloadThroughput, s: ThroughputSide, label: string): string =>
      `${label} ${withSpread(sideSpread(w, s, 'perSecond'), (n) => perSecond(n))}, CPU µs/command launcher ` +
      `${withSpread(sideSpread(w, s, 'launcherCpuUs'), fixed(2))}, child ${withSpread(sideSpread(w, s, 'hostCpuUs'), fixed(2))}`
    const rounds = (w: WorkloadThroughput): string =>
      `median of ${w.rounds.length} rounds (every side once a round, order rotated, raw and HostPipe back to back) × ` +
      `${(w.commandsPerRound.pipe ?? 0).toLocaleString('en-US')} commands`
    const ratio = ratioSpread(main, 'pipe', 'raw')
    rows.push([
      'throughputRatio',
      withSpread(ratio, fixed(3)),
      TARGETS.throughputRatio.label,
      mark(meetsTarget('throughputRatio', ratio.median)),
      `HostPipe ÷ raw NDJSON to the same host, ${main.workload}, per round; ${side(main, 'pipe', 'HostPipe')}; ` +
        `${side(main, 'raw', 'raw')}; ${rounds(main)}`,
    ])
    const bare = ratioSpread(main, 'pipe', 'bare')
    rows.push([
      'bareRatio',
      withSpread(bare, fixed(3)),
      TARGETS.bareRatio.label,
      mark(meetsTarget('bareRatio', bare.median)),
      `HostPipe ÷ raw NDJSON to the bare child (parses, acks each read batch; no host), per round; ` +
        `${side(main, 'bare', 'bare child')}`,
    ])
    if (main.sides.includes('rawEncoder'))
      rows.push([
        "(raw, HostPipe's encoder)",
        withSpread(ratioSpread(main, 'pipe', 'rawEncoder'), fixed(3)),
        '—',
        '',
        `HostPipe ÷ raw NDJSON to the same host encoding each command with HostPipe's encoder instead of ` +
          `JSON.stringify (the same bytes): what HostPipe's bookkeeping costs, the encoder's gain taken out, ` +
          `per round; ${side(main, 'rawEncoder', "raw, HostPipe's encoder")}`,
      ])
    for (const peer of Object.keys(PEER_LABELS) as PeerName[]) {
      if (!main.sides.includes(peer)) continue
      const latency = r.latency?.peers[peer]
      rows.push([
        `peers.${peer}`,
        withSpread(ratioSpread(main, peer, 'raw'), fixed(3)),
        '—',
        '',
        `${PEER_LABELS[peer]} ÷ raw, an RPC call per command, same window; ${side(main, peer, PEER_LABELS[peer])}; ` +
          `${(main.commandsPerRound[peer] ?? 0).toLocaleString('en-US')} commands a round` +
          (latency ? `; at 10k/s ${latencyText(latency)}` : ''),
      ])
    }
    rows.push([
      '(saga workload)',
      withSpread(ratioSpread(saga, 'pipe', 'raw'), fixed(3)),
      '—',
      '',
      `${saga.workload}: ${side(saga, 'pipe', 'HostPipe')}; ${side(saga, 'raw', 'raw')}; ${rounds(saga)}`,
    ])
  }
  if (r.latency) {
    const l = r.latency
    const p50 = spreadOf(l.pipe.roundP50Ms)
    const p99 = spreadOf(l.pipe.roundP99Ms)
    const rawP50 = spreadOf(l.raw.roundP50Ms)
    const p50VsRaw = p50.median / rawP50.median
    rows.push([
      'p50Ms',
      withSpread(p50, fixed(3)),
      TARGETS.p50VsRaw.label,
      mark(meetsTarget('p50VsRaw', p50VsRaw)),
      `raw baseline ${withSpread(rawP50, fixed(3))} ms (${p50VsRaw.toFixed(2)}× raw); median of ` +
        `${l.config.rounds} rounds × ${l.config.roundMs / 1000} s at 10k/s`,
    ])
    rows.push([
      'p99Ms',
      withSpread(p99, fixed(3)),
      TARGETS.p99Ms.label,
      mark(meetsTarget('p99Ms', p99.median)),
      `raw baseline ${withSpread(spreadOf(l.raw.roundP99Ms), fixed(3))} ms; ` +
        `pooled p99 ${ms(l.pipe.pooledP99Ms)}, max ${ms(l.pipe.maxMs, 1)} over ${l.pipe.samples.toLocaleString('en-US')} commands`,
    ])
    // Without the throughput scenario the peers' rows above are missing: their latency goes here.
    for (const [peer, stats] of Object.entries(l.peers) as [PeerName, LatencyStats][])
      if (!r.throughput)
        rows.push([`peers.${peer}`, '', '—', '', `${PEER_LABELS[peer]} at 10k/s: ${latencyText(stats)}`])
  }
  if (r.call) rows.push(...callRows(r.call, mark))
  if (r.stream) rows.push(...streamRows(r.stream))
  if (r.bytes) rows.push(...bytesRows(r.bytes, mark))
  if (r.reconnect) {
    const c = r.reconnect
    const med = (f: (s: ReconnectResult['samples'][number]) => number, digits = 1): string =>
      withSpread(spreadOf(c.samples.map(f)), fixed(digits))
    const reconnect = spreadOf(c.samples.map((s) => s.drainedMs))
    rows.push([
      'reconnectMs',
      withSpread(reconnect, fixed(1)),
      TARGETS.reconnectMs.label,
      mark(meetsTarget('reconnectMs', reconnect.median)),
      `median of ${c.samples.length} kills; after the SIGKILL: exit seen ${med((s) => s.exitMs)}, ` +
        `respawn ${med((s) => s.spawnMs)}, registered ${med((s) => s.registeredMs)} ms ` +
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
        `over ${m.config.commands.toLocaleString('en-US')} commands (one run, no median; peak ${m.peakMb.toFixed(1)} MB, ` +
        `heap ${m.heapBeforeMb.toFixed(1)} → ${m.heapAfterMb.toFixed(1)} MB, ${perSecond(m.commandsPerSecond)})`,
    ])
  }
  if (r.failover) {
    const f = r.failover
    const failover = spreadOf(f.samples.map((s) => s.drainedMs))
    rows.push([
      'failoverMs',
      withSpread(failover, fixed(1)),
      TARGETS.failoverMs.label,
      mark(meetsTarget('failoverMs', failover.median)),
      `median of ${f.samples.length} SIGKILLs of the active host with a standby ready: promoted ` +
        `${withSpread(spreadOf(f.samples.map((s) => s.promotedMs)), fixed(1))} ms after the kill, then drained`,
    ])
    const chaosDetail = (c: FailoverResult['chaos'], cmd: string): string =>
      `${c.failed.toLocaleString('en-US')} of ${c.started.toLocaleString('en-US')} ${cmd} sagas failed, ` +
      `10k/s offered for ${f.config.chaosMs / 1000} s, ${c.kills} SIGKILLs (one a second; one run, no median)` +
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
  if (r.pool) {
    const p = r.pool
    rows.push([
      'poolSpeedup',
      withSpread(p.ratios, fixed(2)),
      TARGETS.poolSpeedup.label,
      mark(meetsTarget('poolSpeedup', p.poolSpeedup)),
      `~20 ms of CPU per call (${p.spinRounds} rounds): ${perSecond(spreadOf(p.perSecond.one).median)} → ${perSecond(spreadOf(p.perSecond.two).median)}`,
    ])
    rows.push([
      'hostRssMb',
      p.hostRssMb.toFixed(1),
      '—',
      '',
      'VmRSS of one serving host: one more host in the pool',
    ])
  }
  if (r.coldStart) {
    const c = r.coldStart
    const host = spreadOf(c.hostSamples)
    const bare = spreadOf(c.bareSamples)
    const overhead = host.median - bare.median
    rows.push([
      'coldStartMs',
      withSpread(host, fixed(1)),
      TARGETS.coldStartOverheadMs.label,
      mark(meetsTarget('coldStartOverheadMs', overhead)),
      `host spawn → register line on the socket, median of ${c.config.pairs} alternating pairs; ` +
        `${overhead.toFixed(1)} ms over bareStartMs`,
    ])
    rows.push([
      'bareStartMs',
      withSpread(bare, fixed(1)),
      '—',
      '',
      'a one-line Node script spawned the same way, connecting and writing one line',
    ])
  }
  if (r.load) {
    const l = r.load
    rows.push([
      'otherLoadCores',
      l.isMeasured ? l.maxOtherCores.toFixed(2) : 'unknown',
      `≤ ${l.thresholdCores} (else loadWarning)`,
      l.warning ? '**loadWarning**' : 'quiet',
      l.isMeasured
        ? 'CPU of other processes (/proc/stat busy minus this bench and its children), in cores, ' +
          'the busiest scenario; per scenario: ' +
          l.scenarios.map((s) => `${s.scenario} ${s.otherCores.toFixed(2)}`).join(', ')
        : 'no /proc here: the load cannot be measured, so no target is judged',
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

/** The stream scenario's rows: streamChunksPerSec and streamSlowConsumerRssMb. */
export function streamRows(s: StreamResult): string[][] {
  const slow = s.slowConsumer
  return [
    [
      'streamChunksPerSec',
      withSpread(spreadOf(s.roundChunksPerSec), (n) => perSecond(n)),
      '—',
      '',
      `launcher.stream('blobs') of ${STREAM_CHUNK_BYTES} B chunks on createLauncher (one host, standby 0, window 16), ` +
        `a consumer that keeps up; ${s.config.chunksPerRound.toLocaleString('en-US')} chunks a round, ${s.config.rounds} rounds`,
    ],
    [
      'streamSlowConsumerRssMb',
      slow.peakMb.toFixed(1),
      '—',
      '',
      `launcher's peak RSS while a consumer takes one chunk per ${SLOW_CONSUMER_INTERVAL_MS} ms for ` +
        `${s.config.slowMs / 1000} s (${slow.chunks} chunks) and the host would produce without end: ` +
        `${slow.beforeMb.toFixed(1)} MB before, ${slow.afterMb.toFixed(1)} MB after`,
    ],
  ]
}

/**
 * The call scenario's rows: callsPerSec, callRatio, callP50Ms and callP99Ms (HostPipe against the
 * raw call loop), then one row per `--peers` library.
 */
export function callRows(c: CallResult, mark: (ok: boolean) => string): string[][] {
  const side = (name: CallSideName): string =>
    `${CALL_SIDE_LABELS[name]} ${withSpread(callSideSpread(c, name, 'perSecond'), (n) => perSecond(n))}, ` +
    `CPU µs/call launcher ${withSpread(callSideSpread(c, name, 'launcherCpuUs'), fixed(2))}, ` +
    `child ${withSpread(callSideSpread(c, name, 'hostCpuUs'), fixed(2))}`
  const rounds =
    `median of ${c.rounds.length} rounds (every side once a round, order rotated, raw and HostPipe back to back) ` +
    `of ${c.config.roundMs} ms each, each after a full collection and ${c.config.rewarmMs} ms of calls not counted`
  const ratio = callRatioSpread(c, 'pipe', 'raw')
  const latencyRounds =
    `median of ${c.latency.pipe.roundP50Ms.length} rounds × ` +
    `${c.config.latencyCallsPerRound.toLocaleString('en-US')} calls, raw and HostPipe alternating`
  const latencyRow = (
    key: 'callP50Ms' | 'callP99Ms',
    target: 'callP50VsRaw' | 'callP99VsRaw',
    pipe: number[],
    raw: number[],
    what: string,
  ): string[] => {
    const p = spreadOf(pipe)
    const r = spreadOf(raw)
    const vsRaw = p.median / r.median
    return [
      key,
      withSpread(p, fixed(3)),
      TARGETS[target].label,
      mark(meetsTarget(target, vsRaw)),
      `${what} of one call at a time (each awaited before the next); raw call loop ${withSpread(r, fixed(3))} ms ` +
        `(${vsRaw.toFixed(2)}× raw); ${latencyRounds}`,
    ]
  }
  const rows: string[][] = [
    [
      'callsPerSec',
      withSpread(callSideSpread(c, 'pipe', 'perSecond'), (n) => perSecond(n)),
      '—',
      '',
      `launcher.call('add', {a, b}) on createLauncher (one host, standby 0, pipe transport, zod on both ends), ` +
        `${CALLS_OUTSTANDING} calls outstanding; ${side('pipe')}; ${rounds}`,
    ],
    [
      'callRatio',
      withSpread(ratio, fixed(3)),
      TARGETS.callRatio.label,
      mark(meetsTarget('callRatio', ratio.median)),
      `HostPipe ÷ a raw NDJSON request/response loop with ids to a bare child (JSON only, no validation), ` +
        `${CALLS_OUTSTANDING} outstanding, per round; ${side('raw')}`,
    ],
    latencyRow('callP50Ms', 'callP50VsRaw', c.latency.pipe.roundP50Ms, c.latency.raw.roundP50Ms, 'p50'),
    latencyRow('callP99Ms', 'callP99VsRaw', c.latency.pipe.roundP99Ms, c.latency.raw.roundP99Ms, 'p99'),
  ]
  if (c.sides.includes('pipeWide'))
    rows.push([
      `(concurrency ${CALLS_OUTSTANDING})`,
      withSpread(callRatioSpread(c, 'pipeWide', 'raw'), fixed(3)),
      '—',
      '',
      `callRatio again with concurrency ${CALLS_OUTSTANDING} (the default is ${DEFAULT_CONCURRENCY}), so no call waits in the ` +
        `launcher and every one is on the wire, as in the raw loop; ${side('pipeWide')}`,
    ])
  if (c.sides.includes('rawWindow'))
    rows.push(
      [
        `(raw, ${DEFAULT_CONCURRENCY} on the wire)`,
        withSpread(callRatioSpread(c, 'rawWindow', 'raw'), fixed(3)),
        '—',
        '',
        `the raw call loop itself with at most ${DEFAULT_CONCURRENCY} requests on the wire (the others waiting ` +
          `in order, as the launcher's do) ÷ the raw loop with all ${CALLS_OUTSTANDING}: what the default ` +
          `window costs any client; ${side('rawWindow')}`,
      ],
      [
        `(same window)`,
        withSpread(callRatioSpread(c, 'pipe', 'rawWindow'), fixed(3)),
        '—',
        '',
        `HostPipe (default concurrency) ÷ the raw call loop with ${DEFAULT_CONCURRENCY} on the wire, per round`,
      ],
    )
  for (const peer of CALL_PEERS) {
    if (!c.sides.includes(peer)) continue
    rows.push([
      `peers.${peer}Call`,
      withSpread(callRatioSpread(c, peer, 'raw'), fixed(3)),
      '—',
      '',
      `${CALL_SIDE_LABELS[peer]} ÷ the raw call loop, awaited calls, ${CALLS_OUTSTANDING} outstanding, per round; ` +
        `${side(peer)}`,
    ])
  }
  return rows
}

/**
 * The bytes scenario's rows: bytesMBps, bytesRatio (against the raw message echo),
 * bytesCutThroughRatio (against the raw cut-through echo), and small calls/s on the same launcher.
 */
export function bytesRows(b: BytesResult, mark: (ok: boolean) => string): string[][] {
  const mibps = (rounds: number[]): string => `${withSpread(spreadOf(rounds), fixed(0))} MiB/s`
  return [
    [
      'bytesMBps',
      withSpread(spreadOf(b.perRound.launcher), fixed(0)),
      '—',
      '',
      `MiB/s of payload, round trip of a ${BYTES_PAYLOAD / 1024 / 1024} MiB Uint8Array echo through launcher.call ` +
        `(one host, standby 0), ${b.config.rounds} rounds; raw message echo ${mibps(b.perRound.raw)}, ` +
        `raw cut-through ${mibps(b.perRound.cutThrough)}`,
    ],
    [
      'bytesRatio',
      withSpread(b.ratios, fixed(3)),
      TARGETS.bytesRatio.label,
      mark(meetsTarget('bytesRatio', b.bytesRatio)),
      'launcher ÷ a raw Unix-socket message echo of the same bytes to a bare child, same run (median of ' +
        'per-round ratios): the child reads the length-prefixed message into one buffer and writes it back, ' +
        'the parent reads the answer into one Uint8Array, as launcher.call hands the handler one and the caller one',
    ],
    [
      'bytesCutThroughRatio',
      withSpread(b.cutThroughRatios, fixed(3)),
      '—',
      '',
      'launcher ÷ a raw cut-through echo, same run: the child writes each piece back as it arrives and the ' +
        'parent only counts bytes, so neither holds the message whole (no fresh memory touched): the socket alone',
    ],
    [
      'bytesCallsPerSec',
      perSecond(b.callsPerSec),
      '—',
      '',
      `launcher.call('add') with 256 outstanding on the same launcher, between the echoes ` +
        `(${b.config.smallCalls.toLocaleString('en-US')} calls a round); compare callsPerSec`,
    ],
  ]
}
