import { ownCpuMs, processCpuMs } from './cpu-time'
import { LauncherRig } from './launcher-rig'
import { PEERS, PeerRig, type PeerName } from './peer-rig'
import { RawRig } from './raw-rig'
import { median, spreadOf, type Spread } from './stats'
import { runWindowed } from './windowed-run'
import { PIPE_WORKLOAD, SAGA_WORKLOAD, type CommandTarget, type Workload } from './workload'

export interface ThroughputConfig {
  /** Rounds of the pipe workload; each runs every side once, in an order rotated by one a round. */
  rounds: number
  commandsPerRound: number
  /** The peers are 5–50× slower than raw: fewer commands keep their rounds about as long. */
  peerCommandsPerRound: number
  /** Sent through each side before the first round, not counted. */
  warmupCommands: number
  /** Rounds of the saga workload (raw and HostPipe only), shown beside the ratio. */
  sagaRounds: number
  sagaCommandsPerRound: number
}

/**
 * The sides of a throughput round, each its own child process on its own Unix socket:
 * `raw` (raw NDJSON to the host), `pipe` (HostPipe to the host), `bare` (raw NDJSON to the bare
 * child), `rawEncoder` (raw NDJSON to the host, encoded by HostPipe's encoder instead of
 * `JSON.stringify`) and, with `--peers`, `birpc` and `jsonrpc` (an RPC call per command to its own
 * server).
 */
export type ThroughputSide = 'raw' | 'pipe' | 'bare' | 'rawEncoder' | PeerName

/** One side's round: its rate, and the CPU each process spent per command (µs), to show where time goes. */
export interface RoundResult {
  perSecond: number
  launcherCpuUs: number
  /** The child's CPU: the host, the bare child or the peer's server. */
  hostCpuUs: number
}

export type ThroughputRound = Partial<Record<ThroughputSide, RoundResult>>

export interface WorkloadThroughput {
  workload: string
  /** The sides run, in the first round's order. */
  sides: ThroughputSide[]
  rounds: ThroughputRound[]
  /** Median over the rounds of HostPipe ÷ raw (same round, same host): the pipe's `throughputRatio`. */
  ratio: number
  commandsPerRound: Partial<Record<ThroughputSide, number>>
}

export interface ThroughputResult {
  /** The pipe workload: raw, HostPipe, the bare child and the peers. */
  main: WorkloadThroughput
  /** The saga workload: raw and HostPipe. */
  saga: WorkloadThroughput
  config: ThroughputConfig
}

/** Per-round `a` ÷ `b` throughput over the rounds that ran both, with its median and range. */
export function ratioSpread(w: WorkloadThroughput, a: ThroughputSide, b: ThroughputSide): Spread {
  return spreadOf(
    w.rounds.flatMap((r) => {
      const x = r[a]
      const y = r[b]
      return x && y ? [x.perSecond / y.perSecond] : []
    }),
  )
}

/** One side's measure over the rounds, with its median and range. */
export function sideSpread(w: WorkloadThroughput, side: ThroughputSide, measure: keyof RoundResult): Spread {
  return spreadOf(w.rounds.flatMap((r) => (r[side] ? [r[side][measure]] : [])))
}

/**
 * HostPipe (through SocketServer + LauncherServer) against the raw NDJSON baseline to the same
 * host, raw NDJSON to the bare child, and the peers, each with its own real child process, end
 * to end: a round ends when the child has acked (answered) every command. Every side keeps at most
 * WINDOW commands unacked.
 */
export async function measureThroughput(
  config: ThroughputConfig,
  peers: readonly PeerName[],
  progress: (line: string) => void,
): Promise<ThroughputResult> {
  const targets = new Map<ThroughputSide, CommandTarget>()
  try {
    targets.set('raw', await RawRig.start('host'))
    targets.set('pipe', await LauncherRig.start())
    targets.set('bare', await RawRig.start('bare'))
    targets.set('rawEncoder', await RawRig.start('host', 'hostpipe'))
    for (const peer of peers) targets.set(peer, await PeerRig.start(peer))
    const countFor = (side: ThroughputSide, commands: number): number =>
      (PEERS as readonly string[]).includes(side) ? Math.min(commands, config.peerCommandsPerRound) : commands
    progress(`throughput: warm-up (${config.warmupCommands} commands each)`)
    for (const [side, target] of targets) {
      await runWindowed(target, countFor(side, config.warmupCommands / 2), PIPE_WORKLOAD)
      if (side === 'raw' || side === 'pipe')
        await runWindowed(target, config.warmupCommands / 2, SAGA_WORKLOAD)
    }
    const main = await measureRounds(
      targets,
      [...targets.keys()],
      PIPE_WORKLOAD,
      config.rounds,
      (side) => countFor(side, config.commandsPerRound),
      progress,
    )
    const saga = await measureRounds(
      targets,
      ['raw', 'pipe'],
      SAGA_WORKLOAD,
      config.sagaRounds,
      () => config.sagaCommandsPerRound,
      progress,
    )
    return { main, saga, config }
  } finally {
    await Promise.all([...targets.values()].map((t) => t.dispose()))
  }
}

async function measureRounds(
  targets: ReadonlyMap<ThroughputSide, CommandTarget>,
  sides: ThroughputSide[],
  workload: Workload,
  count: number,
  commandsFor: (side: ThroughputSide) => number,
  progress: (line: string) => void,
): Promise<WorkloadThroughput> {
  const rounds: ThroughputRound[] = []
  for (let i = 0; i < count; i++) {
    const order = roundOrder(sides, i)
    const round: ThroughputRound = {}
    for (const side of order) round[side] = await runRound(targets.get(side)!, commandsFor(side), workload)
    rounds.push(round)
    progress(
      `throughput (${workload.name}): round ${i + 1}/${count}: ` +
        order
          .map((side) => {
            const r = round[side]!
            return (
              `${side} ${Math.round(r.perSecond)}/s (CPU µs/command launcher ${r.launcherCpuUs.toFixed(2)}, ` +
              `child ${r.hostCpuUs.toFixed(2)})`
            )
          })
          .join(', ') +
        `; HostPipe ÷ raw ${(round.pipe!.perSecond / round.raw!.perSecond).toFixed(3)}`,
    )
  }
  return {
    workload: workload.name,
    sides,
    rounds,
    ratio: median(rounds.map((r) => r.pipe!.perSecond / r.raw!.perSecond)),
    commandsPerRound: Object.fromEntries(sides.map((side) => [side, commandsFor(side)])),
  }
}

/**
 * The order of round `i` (the throughput rounds' and the call scenario's): rotated each round, so
 * no side always follows the same one (or always runs first), except that raw and HostPipe always
 * run back to back (which of the two goes first flips every full rotation). The machine's speed drifts over seconds (this is a shared VM), and
 * the throughput ratio divides the two: run apart, a round's ratio would also measure the drift over
 * whatever ran between them (a peer's round takes seconds).
 */
export function roundOrder<S extends string>(sides: readonly S[], i: number): S[] {
  const isPair = (side: S): boolean => side === 'raw' || side === 'pipe'
  const others = sides.filter((side) => !isPair(side))
  const unitCount = others.length + 1
  const raw = sides.filter((side) => side === 'raw')
  const pipe = sides.filter((side) => side === 'pipe')
  // The pair's own order flips once per full rotation, so each of the two also runs first overall.
  const pair = Math.floor(i / unitCount) % 2 === 0 ? [...raw, ...pipe] : [...pipe, ...raw]
  const units: S[][] = [pair, ...others.map((side) => [side])]
  return units.flatMap((_, k) => units[(k + i) % unitCount]!)
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
