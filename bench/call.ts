import {
  CALLS_OUTSTANDING,
  startCallSide,
  type CallPeerName,
  type CallSide,
  type CallSideName,
} from './call-sides'
import { ownCpuMs, processCpuMs } from './cpu-time'
import { percentile, spreadOf, type Spread } from './stats'
import { roundOrder, settleHeap, type RoundResult } from './throughput'
import { withTimeout } from './with-timeout'

/** A round that has not finished by then has failed (a hung child, a lost answer). */
const ROUND_TIMEOUT_MS = 120_000

export interface CallConfig {
  /** Throughput rounds; each runs every side once, in an order rotated by one a round. */
  rounds: number
  /**
   * How long each side makes calls in a round, in ms (then its outstanding calls settle): the
   * sides' rates differ 50-fold, so a fixed time rather than a fixed count keeps every round long
   * enough to time and to read the children's CPU (10 ms ticks) over.
   */
  roundMs: number
  /** Each side makes calls this long before the first round, not counted. */
  warmupMs: number
  /**
   * Before each round is measured, its side makes calls this long, not counted: the heap is
   * settled by a forced full collection before every round (so one side's garbage is not
   * collected in another's round), and V8 throws away the optimized code of Node's own write path
   * at each one, which every side then pays to rebuild (docs/benchmarks.md). An app under load is
   * not collected every second.
   */
  rewarmMs: number
  /** Latency rounds (one call at a time), raw and HostPipe alternating. */
  latencyRounds: number
  latencyCallsPerRound: number
}

/** One side's throughput round: RoundResult, and how many calls it made. */
export interface CallRound extends RoundResult {
  calls: number
}

/** Per-round p50 and p99 of one call at a time, in ms. */
export interface CallLatency {
  roundP50Ms: number[]
  roundP99Ms: number[]
  /** Calls timed over every round. */
  samples: number
}

export interface CallResult {
  /** The sides run, in the first round's order. */
  sides: CallSideName[]
  /** Each side's calls/s and CPU µs per call (`hostCpuUs`: the answering child's), per round. */
  rounds: Partial<Record<CallSideName, CallRound>>[]
  latency: { pipe: CallLatency; raw: CallLatency }
  config: CallConfig
}

/** One side's measure over the throughput rounds, with its median and range. */
export function callSideSpread(r: CallResult, side: CallSideName, measure: keyof CallRound): Spread {
  return spreadOf(r.rounds.flatMap((round) => (round[side] ? [round[side][measure]] : [])))
}

/** Per-round `a` ÷ `b` calls/s over the rounds that ran both, with its median and range. */
export function callRatioSpread(r: CallResult, a: CallSideName, b: CallSideName): Spread {
  return spreadOf(
    r.rounds.flatMap((round) => {
      const x = round[a]
      const y = round[b]
      return x && y ? [x.perSecond / y.perSecond] : []
    }),
  )
}

/**
 * `launcher.call('add')` against the raw NDJSON request/response loop (and, with `peers`, each
 * library's awaited call), each side on its own child process and Unix socket: throughput rounds
 * with CALLS_OUTSTANDING calls in flight, every side once a round in a rotated order with raw and
 * HostPipe back to back; then latency rounds of one call at a time, raw and HostPipe alternating.
 */
export async function measureCalls(
  config: CallConfig,
  peers: readonly CallPeerName[],
  progress: (line: string) => void,
): Promise<CallResult> {
  const sides = new Map<CallSideName, CallSide>()
  try {
    for (const name of ['raw', 'pipe', 'pipeWide', 'rawWindow', ...peers] as const)
      sides.set(name, await startCallSide(name))
    const names = [...sides.keys()]
    progress(`call: warm-up (${config.warmupMs} ms each)`)
    for (const [name, side] of sides) {
      await runRoundOf(side, config.warmupMs, runOutstanding)
      if (name === 'raw' || name === 'pipe')
        await runRoundOf(side, config.latencyCallsPerRound, runOneAtATime)
    }
    const rounds: CallResult['rounds'] = []
    for (let i = 0; i < config.rounds; i++) {
      const order = roundOrder(names, i)
      const round: CallResult['rounds'][number] = {}
      for (const name of order)
        round[name] = await measureRound(sides.get(name)!, config.roundMs, config.rewarmMs)
      rounds.push(round)
      progress(
        `call: round ${i + 1}/${config.rounds}: ` +
          order
            .map((name) => {
              const r = round[name]!
              return (
                `${name} ${Math.round(r.perSecond)}/s (CPU µs/call launcher ${r.launcherCpuUs.toFixed(2)}, ` +
                `child ${r.hostCpuUs.toFixed(2)})`
              )
            })
            .join(', ') +
          `; HostPipe ÷ raw ${(round.pipe!.perSecond / round.raw!.perSecond).toFixed(3)}`,
      )
    }
    const latency: CallResult['latency'] = {
      pipe: { roundP50Ms: [], roundP99Ms: [], samples: 0 },
      raw: { roundP50Ms: [], roundP99Ms: [], samples: 0 },
    }
    for (let i = 0; i < config.latencyRounds; i++) {
      for (const name of roundOrder(['raw', 'pipe'] as const, i)) {
        settleHeap()
        const samples = await runRoundOf(sides.get(name)!, config.latencyCallsPerRound, runOneAtATime)
        latency[name].roundP50Ms.push(percentile(samples, 50))
        latency[name].roundP99Ms.push(percentile(samples, 99))
        latency[name].samples += samples.length
      }
      const at = (l: CallLatency): string =>
        `p50 ${l.roundP50Ms[i]!.toFixed(3)} ms, p99 ${l.roundP99Ms[i]!.toFixed(3)} ms`
      progress(
        `call: one at a time, round ${i + 1}/${config.latencyRounds}: ` +
          `HostPipe ${at(latency.pipe)}; raw ${at(latency.raw)}`,
      )
    }
    return { sides: names, rounds, latency, config }
  } finally {
    await Promise.all([...sides.values()].map((side) => side.dispose()))
  }
}

async function measureRound(side: CallSide, ms: number, rewarmMs: number): Promise<CallRound> {
  settleHeap()
  await runRoundOf(side, rewarmMs, runOutstanding)
  const launcherBefore = ownCpuMs()
  const childBefore = processCpuMs(side.childPid)
  const { calls, elapsedMs } = await runRoundOf(side, ms, runOutstanding)
  const usPerCall = (cpuMs: number): number => (cpuMs * 1000) / calls
  return {
    perSecond: (calls / elapsedMs) * 1000,
    launcherCpuUs: usPerCall(ownCpuMs() - launcherBefore),
    hostCpuUs: usPerCall(processCpuMs(side.childPid) - childBefore),
    calls,
  }
}

/** Runs `run(side, amount)` and fails it after ROUND_TIMEOUT_MS. */
function runRoundOf<T>(
  side: CallSide,
  amount: number,
  run: (side: CallSide, amount: number) => Promise<T>,
): Promise<T> {
  return withTimeout(run(side, amount), ROUND_TIMEOUT_MS, `${side.name}: a call round did not finish`)
}

/**
 * Makes calls for `ms` keeping CALLS_OUTSTANDING awaited at once (each settled call starts the
 * next while time is left), and resolves once the last has settled, with how many calls were made
 * and the ms from the first call to the last answer. Every answer is checked.
 */
async function runOutstanding(side: CallSide, ms: number): Promise<{ calls: number; elapsedMs: number }> {
  let started = 0
  const startedAt = performance.now()
  const deadline = startedAt + ms
  const caller = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const a = started++
      checkSum(side, a, (await side.add({ a, b: 1 })).sum)
    }
  }
  await Promise.all(Array.from({ length: CALLS_OUTSTANDING }, caller))
  return { calls: started, elapsedMs: performance.now() - startedAt }
}

/** Makes `calls` calls one at a time (each awaited before the next) and gives each one's ms. */
async function runOneAtATime(side: CallSide, calls: number): Promise<Float64Array> {
  const samples = new Float64Array(calls)
  for (let a = 0; a < calls; a++) {
    const startedAt = performance.now()
    const { sum } = await side.add({ a, b: 1 })
    samples[a] = performance.now() - startedAt
    checkSum(side, a, sum)
  }
  return samples
}

function checkSum(side: CallSide, a: number, sum: number): void {
  if (sum !== a + 1) throw new Error(`${side.name}: add(${a}, 1) answered ${sum}, expected ${a + 1}`)
}
