import { benchConfig } from '../../bench/bench-config'
import type { CallResult } from '../../bench/call'

const side = (perSecond: number) => ({ perSecond, launcherCpuUs: 10, hostCpuUs: 8, calls: perSecond })

/**
 * A call scenario's result with made-up numbers: three rounds where HostPipe ÷ raw is 0.2, 0.3 and
 * 0.25 (25,000 calls/s at the median) and birpc, comlink and vscode-jsonrpc do 0.5, 0.3 and 0.1 of
 * raw; one call at a time HostPipe's p50 is 0.25 ms (2.5× raw's 0.1) and its p99 0.9 ms (1.8×
 * raw's 0.5).
 */
export const fakeCallResult: CallResult = {
  sides: ['raw', 'pipe', 'birpc', 'comlink', 'jsonrpc'],
  rounds: [
    {
      raw: side(100_000),
      pipe: side(20_000),
      birpc: side(50_000),
      comlink: side(30_000),
      jsonrpc: side(10_000),
    },
    {
      raw: side(100_000),
      pipe: side(30_000),
      birpc: side(50_000),
      comlink: side(30_000),
      jsonrpc: side(10_000),
    },
    {
      raw: side(100_000),
      pipe: side(25_000),
      birpc: side(50_000),
      comlink: side(30_000),
      jsonrpc: side(10_000),
    },
  ],
  latency: {
    pipe: { roundP50Ms: [0.2, 0.25, 0.3], roundP99Ms: [0.8, 1, 0.9], samples: 15_000 },
    raw: { roundP50Ms: [0.1, 0.1, 0.1], roundP99Ms: [0.5, 0.4, 0.6], samples: 15_000 },
  },
  config: benchConfig(false).call,
}

/** The first run with the `pipeWide` side (concurrency 256) too, at 0.4, 0.6 and 0.5 of raw. */
export const fakeCallResultWithWide: CallResult = {
  ...fakeCallResult,
  sides: ['raw', 'pipe', 'pipeWide'],
  rounds: fakeCallResult.rounds.map(({ raw, pipe }, i) => ({
    raw,
    pipe,
    pipeWide: side([40_000, 60_000, 50_000][i]!),
  })),
}

/** The same run without `--peers`. */
export const fakeCallResultWithoutPeers: CallResult = {
  ...fakeCallResult,
  sides: ['raw', 'pipe'],
  rounds: fakeCallResult.rounds.map(({ raw, pipe }) => ({ raw, pipe })),
}
