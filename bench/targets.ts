/** The targets, each against a baseline in the same run or an absolute bound. */
export const TARGETS = {
  /** HostPipe ÷ raw NDJSON to the same host. */
  throughputRatio: { min: 0.95, label: '≥ 0.95' },
  /** HostPipe ÷ raw NDJSON to the bare child. */
  bareRatio: { min: 0.9, label: '≥ 0.9' },
  /** HostPipe's p50 ÷ raw's p50, at 10k/s. */
  p50VsRaw: { atMost: 1.1, label: '≤ 1.1× raw' },
  p99Ms: { max: 1, label: '< 1 ms' },
  reconnectMs: { max: 500, label: '< 500 ms' },
  rssGrowthMb: { max: 20, label: '< 20 MB' },
  failoverMs: { max: 20, label: '< 20 ms' },
  /** coldStartMs − bareStartMs */
  coldStartOverheadMs: { max: 30, label: '< 30 ms over bare' },
  chaosFailedPct: { max: 1, label: '< 1 %' },
  /** The stretch target, with a command that is retried on host loss. */
  chaosRetryFailedPct: { max: 0.1, label: '< 0.1 %' },
  /** `launcher.call` ÷ the raw NDJSON request/response loop, 256 calls outstanding. */
  callRatio: { min: 0.6, label: '≥ 0.6' },
  /** HostPipe's p50 of one call at a time ÷ the raw loop's. */
  callP50VsRaw: { atMost: 1.3, label: '≤ 1.3× raw' },
  /** HostPipe's p99 of one call at a time ÷ the raw loop's. */
  callP99VsRaw: { atMost: 2.5, label: '≤ 2.5× raw' },
  /** Throughput of a ~20 ms CPU-bound command with `hosts: 2` ÷ with `hosts: 1`, on 2 cores. */
  poolSpeedup: { min: 1.7, label: '≥ 1.7 (2 cores)' },
  /** A 32 MiB echo through `launcher.call` ÷ the same bytes echoed over a raw Unix socket. */
  bytesRatio: { min: 0.5, label: '≥ 0.5' },
} as const

/** A `--peers` entry of the JSON object: throughput ÷ raw's, and latency at 10k/s. */
export interface PeerSummary {
  ratio: number
  p50Ms: number
  p99Ms: number
}

/** A `--peers` call entry of the JSON line: awaited calls/s ÷ the raw call loop's. */
export interface PeerCallSummary {
  ratio: number
}

/** The JSON object (docs/benchmarks.md), keys in this order (`peers` only with `--peers`). */
export interface BenchSummary {
  throughputRatio: number
  p50Ms: number
  p99Ms: number
  reconnectMs: number
  rssGrowthMb: number
  failoverMs: number
  coldStartMs: number
  bareStartMs: number
  chaosFailedPct: number
  /** chaosFailedPct with `reap_panes`, which is retried on host loss. */
  chaosRetryFailedPct: number
  standbyRssMb: number
  /** Throughput of a ~20 ms CPU-bound call, `hosts: 2` ÷ `hosts: 1` (median of rounds). */
  poolSpeedup: number
  /** VmRSS of one serving host: what one more host in the pool costs (MB). */
  hostRssMb: number
  bareRatio: number
  /** `launcher.call('add')` per second, 256 calls outstanding, one host. */
  callsPerSec: number
  /** callsPerSec ÷ the raw NDJSON request/response loop's, same run (median of per-round ratios). */
  callRatio: number
  /** callRatio with `concurrency: 256`, every outstanding call on the wire as in the raw loop (not judged). */
  callRatioWide?: number
  /** The raw loop with at most the default `concurrency` (64) on the wire ÷ the raw loop (not judged). */
  rawWindowRatio?: number
  /** callsPerSec ÷ that windowed raw loop's: HostPipe against a client with the same window (not judged). */
  callRatioSameWindow?: number
  /** One call at a time, ms. */
  callP50Ms: number
  callP99Ms: number
  /** The raw loop's, one request at a time, ms: the baseline of the call latency targets. */
  rawCallP50Ms: number
  rawCallP99Ms: number
  /** Chunks/s of one `launcher.stream` of 1 KiB chunks whose consumer keeps up (median of rounds). */
  streamChunksPerSec: number
  /** The launcher's peak RSS, MB, while a consumer reads one chunk per 10 ms and the host produces at will. */
  streamSlowConsumerRssMb: number
  /** MiB of payload per second of a 32 MiB `Uint8Array` echo's round trip (median of rounds). */
  bytesMBps: number
  /**
   * bytesMBps ÷ a raw Unix-socket message echo of the same bytes to a bare child (each side holds
   * the message as one buffer), same run (median of rounds).
   */
  bytesRatio: number
  /** bytesMBps ÷ a raw cut-through echo (pieces written back as they arrive), same run (median of rounds). */
  bytesCutThroughRatio: number
  peers?: {
    birpc: PeerSummary
    jsonrpc: PeerSummary
    birpcCall?: PeerCallSummary
    comlinkCall?: PeerCallSummary
    jsonrpcCall?: PeerCallSummary
  }
  /** True when other processes' load exceeded OTHER_LOAD_THRESHOLD_CORES in some scenario (or is unknown). */
  loadWarning: boolean
  /** The busiest scenario's other load, in cores. */
  otherLoadCores: number
  /** [min, max] over the rounds (or repetitions) each median above was taken from. */
  spread: Record<SpreadKey, [number, number]>
}

/** The medians the JSON line gives a spread for. */
export type SpreadKey =
  | 'throughputRatio'
  | 'bareRatio'
  | 'p50Ms'
  | 'p99Ms'
  | 'reconnectMs'
  | 'failoverMs'
  | 'coldStartMs'
  | 'bareStartMs'
  | 'callsPerSec'
  | 'callRatio'
  | 'callP50Ms'
  | 'callP99Ms'
  | 'poolSpeedup'
  | 'streamChunksPerSec'
  | 'bytesRatio'
  | 'bytesCutThroughRatio'

export function meetsTarget(key: keyof typeof TARGETS, value: number): boolean {
  const t: { min?: number; max?: number; atMost?: number } = TARGETS[key]
  if (Number.isNaN(value)) return false
  if (t.min !== undefined) return value >= t.min
  if (t.atMost !== undefined) return value <= t.atMost
  return value < t.max!
}
