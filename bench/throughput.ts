import { ownCpuMs, processCpuMs } from './cpu-time'
import { LauncherRig } from './launcher-rig'
import { RawRig } from './raw-rig'
import { median } from './stats'
import { runWindowed } from './windowed-run'
import { PIPE_WORKLOAD, SAGA_WORKLOAD, type CommandTarget, type Workload } from './workload'

export interface ThroughputConfig {
  /** Alternating pairs (raw then HostPipe, HostPipe then raw, …) of the pipe workload. */
  pairs: number
  commandsPerRound: number
  /** Sent through each side before the first pair, not counted. */
  warmupCommands: number
  /** Pairs of the saga workload, shown beside the ratio. */
  sagaPairs: number
  sagaCommandsPerRound: number
}

/** One round's rate, and the CPU each process spent per command (µs), to show where time goes. */
export interface RoundResult {
  perSecond: number
  launcherCpuUs: number
  hostCpuUs: number
}

export interface ThroughputPair {
  raw: RoundResult
  pipe: RoundResult
  ratio: number
}

export interface WorkloadThroughput {
  workload: string
  /** Median over the pairs of HostPipe ÷ raw: a pair runs back to back, so load drift cancels. */
  ratio: number
  /** Medians over the pairs. */
  raw: RoundResult
  pipe: RoundResult
  pairs: ThroughputPair[]
  commandsPerRound: number
}

export interface ThroughputResult {
  /** The pipe workload: the §7 ratio. */
  main: WorkloadThroughput
  saga: WorkloadThroughput
  config: ThroughputConfig
}

/**
 * HostPipe (through SocketServer + LauncherServer) against the raw NDJSON baseline, each with its
 * own real host process, end to end: a round ends when the host has acked every command.
 */
export async function measureThroughput(
  config: ThroughputConfig,
  progress: (line: string) => void,
): Promise<ThroughputResult> {
  const raw = await RawRig.start()
  const pipe = await LauncherRig.start().catch(async (err: unknown) => {
    await raw.dispose()
    throw err
  })
  try {
    progress(`throughput: warm-up (${config.warmupCommands} commands each)`)
    for (const workload of [PIPE_WORKLOAD, SAGA_WORKLOAD])
      for (const target of [raw, pipe]) await runWindowed(target, config.warmupCommands / 2, workload)
    const rigs = { raw, pipe }
    const main = await measurePairs(rigs, PIPE_WORKLOAD, config.pairs, config.commandsPerRound, progress)
    const saga = await measurePairs(
      rigs,
      SAGA_WORKLOAD,
      config.sagaPairs,
      config.sagaCommandsPerRound,
      progress,
    )
    return { main, saga, config }
  } finally {
    await Promise.all([raw.dispose(), pipe.dispose()])
  }
}

async function measurePairs(
  rigs: { raw: CommandTarget; pipe: CommandTarget },
  workload: Workload,
  count: number,
  commands: number,
  progress: (line: string) => void,
): Promise<WorkloadThroughput> {
  const pairs: ThroughputPair[] = []
  for (let i = 0; i < count; i++) {
    const order = i % 2 === 0 ? [rigs.raw, rigs.pipe] : [rigs.pipe, rigs.raw]
    const rounds = new Map<CommandTarget, RoundResult>()
    for (const target of order) rounds.set(target, await runRound(target, commands, workload))
    const raw = rounds.get(rigs.raw)!
    const pipe = rounds.get(rigs.pipe)!
    const pair = { raw, pipe, ratio: pipe.perSecond / raw.perSecond }
    pairs.push(pair)
    progress(
      `throughput (${workload.name}): pair ${i + 1}/${count}: raw ${Math.round(raw.perSecond)}/s, ` +
        `HostPipe ${Math.round(pipe.perSecond)}/s, ratio ${pair.ratio.toFixed(3)}; CPU µs/command ` +
        `launcher ${raw.launcherCpuUs.toFixed(2)} vs ${pipe.launcherCpuUs.toFixed(2)}, ` +
        `host ${raw.hostCpuUs.toFixed(2)} vs ${pipe.hostCpuUs.toFixed(2)}`,
    )
  }
  const medianRound = (rounds: RoundResult[]): RoundResult => ({
    perSecond: median(rounds.map((r) => r.perSecond)),
    launcherCpuUs: median(rounds.map((r) => r.launcherCpuUs)),
    hostCpuUs: median(rounds.map((r) => r.hostCpuUs)),
  })
  return {
    workload: workload.name,
    ratio: median(pairs.map((p) => p.ratio)),
    raw: medianRound(pairs.map((p) => p.raw)),
    pipe: medianRound(pairs.map((p) => p.pipe)),
    pairs,
    commandsPerRound: commands,
  }
}

async function runRound(target: CommandTarget, commands: number, workload: Workload): Promise<RoundResult> {
  settleHeap()
  const launcherBefore = ownCpuMs()
  const hostBefore = processCpuMs(target.hostPid)
  const ms = await runWindowed(target, commands, workload)
  const usPerCommand = (cpuMs: number): number => (cpuMs * 1000) / commands
  return {
    perSecond: (commands / ms) * 1000,
    launcherCpuUs: usPerCommand(ownCpuMs() - launcherBefore),
    hostCpuUs: usPerCommand(processCpuMs(target.hostPid) - hostBefore),
  }
}

/** A full GC between rounds (when --expose-gc is on), so no round pays for the one before. */
export function settleHeap(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}
