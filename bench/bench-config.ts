import type { BytesConfig } from './bytes'
import type { CallConfig } from './call'
import type { ColdStartConfig } from './cold-start'
import type { FailoverConfig } from './failover'
import type { LatencyConfig } from './latency'
import type { PoolConfig } from './pool'
import type { ReconnectConfig } from './reconnect'
import type { RssConfig } from './rss'
import type { StreamConfig } from './stream'
import type { ThroughputConfig } from './throughput'

export interface BenchConfig {
  mode: 'quick' | 'full'
  throughput: ThroughputConfig
  latency: LatencyConfig
  reconnect: ReconnectConfig
  rss: RssConfig
  coldStart: ColdStartConfig
  failover: FailoverConfig
  call: CallConfig
  pool: PoolConfig
  stream: StreamConfig
  bytes: BytesConfig
}

/**
 * `--quick` (a smoke run with real numbers) and the full run docs/benchmarks.md quotes; the full
 * run with `--peers` must stay under 15 minutes on a 2-core machine (it took 7.7 under 1.3 cores of
 * other load). Many short rounds, every side once per round, rather than a few long ones: on a
 * shared machine a burst of someone else's load then spoils a round or two, not the median.
 */
export function benchConfig(quick: boolean): BenchConfig {
  if (quick)
    return {
      mode: 'quick',
      throughput: {
        rounds: 7,
        commandsPerRound: 150_000,
        peerCommandsPerRound: 15_000,
        warmupCommands: 100_000,
        sagaRounds: 2,
        sagaCommandsPerRound: 100_000,
      },
      latency: { rounds: 3, roundMs: 1500, warmupMs: 1000 },
      reconnect: { repetitions: 3 },
      rss: { warmupCommands: 100_000, commands: 1_000_000 },
      coldStart: { pairs: 9 },
      failover: { repetitions: 3, chaosMs: 10_000 },
      call: {
        rounds: 5,
        roundMs: 400,
        warmupMs: 500,
        rewarmMs: 200,
        latencyRounds: 3,
        latencyCallsPerRound: 2_000,
      },
      pool: { rounds: 3, calls: 40, workMs: 20 },
      stream: { rounds: 3, chunksPerRound: 50_000, warmupChunks: 20_000, slowMs: 3_000 },
      bytes: { rounds: 3, smallCalls: 20_000 },
    }
  return {
    mode: 'full',
    throughput: {
      rounds: 15,
      commandsPerRound: 500_000,
      peerCommandsPerRound: 50_000,
      warmupCommands: 400_000,
      sagaRounds: 3,
      sagaCommandsPerRound: 500_000,
    },
    latency: { rounds: 7, roundMs: 3000, warmupMs: 2000 },
    reconnect: { repetitions: 7 },
    rss: { warmupCommands: 200_000, commands: 1_000_000 },
    coldStart: { pairs: 21 },
    failover: { repetitions: 7, chaosMs: 30_000 },
    call: {
      rounds: 11,
      roundMs: 1000,
      warmupMs: 1000,
      rewarmMs: 500,
      latencyRounds: 7,
      latencyCallsPerRound: 5_000,
    },
    pool: { rounds: 5, calls: 100, workMs: 20 },
    stream: { rounds: 7, chunksPerRound: 200_000, warmupChunks: 50_000, slowMs: 10_000 },
    bytes: { rounds: 7, smallCalls: 50_000 },
  }
}
