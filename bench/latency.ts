import { LauncherRig } from './launcher-rig'
import { runPaced } from './paced-run'
import { PeerRig, type PeerName } from './peer-rig'
import { RawRig } from './raw-rig'
import { median, percentile } from './stats'
import { settleHeap } from './throughput'
import type { CommandTarget } from './workload'

export const LATENCY_RATE_PER_SECOND = 10_000

export interface LatencyConfig {
  rounds: number
  roundMs: number
  /** A first round at the same rate whose samples are thrown away. */
  warmupMs: number
}

export interface LatencyStats {
  /** Median over rounds of each round's percentile: one noisy second on a shared box moves one round, not the result. */
  p50Ms: number
  p99Ms: number
  roundP50Ms: number[]
  /** Over every sample of every round, for comparison. */
  pooledP99Ms: number
  maxMs: number
  roundP99Ms: number[]
  samples: number
}

export interface LatencyResult {
  pipe: LatencyStats
  /** The raw baseline at the same rate: what the host, the kernel and the machine cost alone. */
  raw: LatencyStats
  /** With `--peers`: each peer's RPC call → answer at the same rate. */
  peers: Partial<Record<PeerName, LatencyStats>>
  config: LatencyConfig
}

/**
 * Send → ack latency at a steady 10k commands/s: HostPipe, raw and (with `--peers`) each peer,
 * rounds alternating in an order rotated by one a round.
 */
export async function measureLatency(
  config: LatencyConfig,
  peers: readonly PeerName[],
  progress: (line: string) => void,
): Promise<LatencyResult> {
  const targets: CommandTarget[] = []
  try {
    const raw = await RawRig.start()
    targets.push(raw)
    const pipe = await LauncherRig.start()
    targets.push(pipe)
    const peerRigs: PeerRig[] = []
    for (const peer of peers) {
      const rig = await PeerRig.start(peer)
      targets.push(rig)
      peerRigs.push(rig)
    }
    progress(`latency: warm-up (${config.warmupMs} ms each at ${LATENCY_RATE_PER_SECOND}/s)`)
    for (const target of targets) await runPaced(target, LATENCY_RATE_PER_SECOND, config.warmupMs)
    const rounds = new Map<CommandTarget, Float64Array[]>(targets.map((t) => [t, []]))
    const first: CommandTarget[] = [pipe, raw, ...peerRigs]
    for (let i = 0; i < config.rounds; i++) {
      const order = first.map((_, k) => first[(k + i) % first.length]!)
      for (const target of order) {
        settleHeap()
        const latencies = await runPaced(target, LATENCY_RATE_PER_SECOND, config.roundMs, (held) =>
          progress(
            `latency: round ${i + 1}/${config.rounds} ${target.name}: the window was full, up to ${held} ` +
              `commands held back (the host fell behind the schedule)`,
          ),
        )
        rounds.get(target)!.push(latencies)
        progress(
          `latency: round ${i + 1}/${config.rounds} ${target.name}: p50 ${percentile(latencies, 50).toFixed(3)} ms, ` +
            `p99 ${percentile(latencies, 99).toFixed(3)} ms`,
        )
      }
    }
    return {
      pipe: statsOf(rounds.get(pipe)!),
      raw: statsOf(rounds.get(raw)!),
      peers: Object.fromEntries(peerRigs.map((rig) => [rig.peer, statsOf(rounds.get(rig)!)])),
      config,
    }
  } finally {
    await Promise.all(targets.map((t) => t.dispose()))
  }
}

function statsOf(rounds: Float64Array[]): LatencyStats {
  const pooled = new Float64Array(rounds.reduce((n, r) => n + r.length, 0))
  let offset = 0
  for (const r of rounds) {
    pooled.set(r, offset)
    offset += r.length
  }
  const roundP50Ms = rounds.map((r) => percentile(r, 50))
  const roundP99Ms = rounds.map((r) => percentile(r, 99))
  return {
    p50Ms: median(roundP50Ms),
    p99Ms: median(roundP99Ms),
    roundP50Ms,
    pooledP99Ms: percentile(pooled, 99),
    maxMs: percentile(pooled, 100),
    roundP99Ms,
    samples: pooled.length,
  }
}
