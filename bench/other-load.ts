import { readdirSync, readFileSync } from 'node:fs'

/**
 * Other processes' CPU, in cores averaged over a scenario, above which the run's timings are not
 * judged (`loadWarning`). A tenth of a core: an idle machine's daemons stay far below it, and the
 * bench itself keeps a launcher and a child busy, so on 2 cores a tenth of a core taken by someone
 * else slows the side it lands on by up to 10 % — twice the 5 % margin the 0.95 throughput target
 * judges, and enough to push a p99 over its bound.
 */
export const OTHER_LOAD_THRESHOLD_CORES = 0.1

/** Clock ticks per second of /proc's CPU times: USER_HZ, 100 on every Linux that matters. */
const USER_HZ = 100

/** The machine's busy CPU and this bench's own (its process and every descendant), at one instant. */
export interface CpuSample {
  atMs: number
  /** All CPUs' busy ticks from /proc/stat (everything but idle and iowait; steal counts as busy). */
  busyTicks: number
  /** utime + stime + cutime + cstime of this process and its live descendants. */
  ownTicks: number
}

export interface ScenarioLoad {
  scenario: string
  /** Other processes' CPU over the scenario, in cores (0 when the bench's own use explains it all). */
  otherCores: number
}

export interface LoadResult {
  /** False where /proc is missing (not Linux): then the load is unknown and `warning` is set. */
  isMeasured: boolean
  scenarios: ScenarioLoad[]
  /** The busiest scenario's other load, in cores. */
  maxOtherCores: number
  thresholdCores: number
  /** `loadWarning`: some scenario ran with more other load than the threshold, or it is unknown. */
  warning: boolean
}

/** Busy ticks from /proc/stat's first (`cpu`) line: user nice system idle iowait irq softirq steal … */
export function busyTicksOf(procStat: string): number {
  const line = procStat.slice(0, procStat.indexOf('\n'))
  const fields = line.trim().split(/\s+/)
  if (fields[0] !== 'cpu' || fields.length < 9)
    throw new Error(`/proc/stat must start with the aggregate "cpu" line, got ${JSON.stringify(line)}`)
  const [user, nice, system, , , irq, softirq, steal] = fields.slice(1, 9).map(Number)
  return user! + nice! + system! + irq! + softirq! + steal!
}

/** From one /proc/<pid>/stat line: its parent pid and utime + stime + cutime + cstime in ticks. */
export function processTicksOf(pidStat: string): { ppid: number; ticks: number } {
  // The command name (field 2) may hold spaces and parens; the fields after its last ')' are fixed.
  const fields = pidStat.slice(pidStat.lastIndexOf(')') + 2).split(' ')
  const at = (field: number): number => Number(fields[field - 3])
  return { ppid: at(4), ticks: at(14) + at(15) + at(16) + at(17) }
}

/**
 * The CPU of `rootPid` and all its live descendants, in ticks. A child that has exited and been
 * waited for is in its parent's cutime/cstime, so a scenario's children are counted whether they
 * are still alive at its end or not.
 */
export function treeTicks(stats: ReadonlyMap<number, string>, rootPid: number): number {
  const parsed = new Map<number, { ppid: number; ticks: number }>()
  for (const [pid, stat] of stats) parsed.set(pid, processTicksOf(stat))
  const children = new Map<number, number[]>()
  for (const [pid, { ppid }] of parsed) children.set(ppid, [...(children.get(ppid) ?? []), pid])
  let ticks = 0
  const stack = [rootPid]
  while (stack.length > 0) {
    const pid = stack.pop()!
    ticks += parsed.get(pid)?.ticks ?? 0
    stack.push(...(children.get(pid) ?? []))
  }
  return ticks
}

/** Other processes' CPU between two samples, in cores (never negative). */
export function otherCoresBetween(before: CpuSample, after: CpuSample): number {
  const elapsedTicks = ((after.atMs - before.atMs) / 1000) * USER_HZ
  if (elapsedTicks <= 0) return 0
  const other = after.busyTicks - before.busyTicks - (after.ownTicks - before.ownTicks)
  return Math.max(0, other / elapsedTicks)
}

/** Reads a CpuSample from /proc; undefined where there is no /proc (not Linux). */
export function sampleCpu(): CpuSample | undefined {
  try {
    const busyTicks = busyTicksOf(readFileSync('/proc/stat', 'utf8'))
    const stats = new Map<number, string>()
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue
      try {
        stats.set(Number(name), readFileSync(`/proc/${name}/stat`, 'utf8'))
      } catch {
        // The process exited between the listing and the read.
      }
    }
    return { atMs: performance.now(), busyTicks, ownTicks: treeTicks(stats, process.pid) }
  } catch {
    return undefined
  }
}

/**
 * Measures the other load during each scenario: machine busy time from /proc/stat minus the CPU
 * of this bench's process tree, over the scenario's wall time. Sampled only at scenario
 * boundaries, so it costs the measurement nothing.
 */
export class LoadMonitor {
  private readonly scenarios: ScenarioLoad[] = []
  private isMeasured = true

  async measure<T>(scenario: string, run: () => Promise<T>): Promise<T> {
    const before = sampleCpu()
    const result = await run()
    const after = sampleCpu()
    if (!before || !after) this.isMeasured = false
    else this.scenarios.push({ scenario, otherCores: otherCoresBetween(before, after) })
    return result
  }

  result(): LoadResult {
    return loadResultOf(this.scenarios, this.isMeasured)
  }
}

export function loadResultOf(scenarios: ScenarioLoad[], isMeasured: boolean): LoadResult {
  const maxOtherCores = Math.max(0, ...scenarios.map((s) => s.otherCores))
  return {
    isMeasured,
    scenarios,
    maxOtherCores,
    thresholdCores: OTHER_LOAD_THRESHOLD_CORES,
    warning: !isMeasured || maxOtherCores > OTHER_LOAD_THRESHOLD_CORES,
  }
}
