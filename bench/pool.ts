/**
 * The pool scenario: a command doing a fixed amount of CPU work (~20 ms here) through
 * `launcher.call`, with every call outstanding at once, on `hosts: 1` and on `hosts: 2`, each
 * round both in turn (which goes first alternates). `poolSpeedup` is the median of the rounds'
 * throughput ratios (2 hosts ÷ 1): the second host's use of a second core. `hostRssMb` is what one
 * more host costs (VmRSS of a serving host after its round).
 */
import { readFileSync } from 'node:fs'
import { createLauncher } from '../src/lib/node'
import { benchChildScriptPath } from './bench-host'
import { spin } from './call-api'
import { CALL_COMMANDS } from './call-commands'
import { spreadOf, type Spread } from './stats'
import { withTimeout } from './with-timeout'

export interface PoolConfig {
  rounds: number
  /** Calls per side per round, all outstanding at once. */
  calls: number
  /** The CPU work of one call, in ms of this machine's time (calibrated once). */
  workMs: number
}

export interface PoolResult {
  /** Median of the rounds' ratios, 2 hosts ÷ 1. */
  poolSpeedup: number
  ratios: Spread
  /** Calls per second, each round, by number of hosts. */
  perSecond: { one: number[]; two: number[] }
  /** The calibrated `rounds` of one call. */
  spinRounds: number
  /** Median VmRSS of one serving host (MB). */
  hostRssMb: number
}

const START_TIMEOUT_MS = 30_000

/** `rounds` so that one `spin` takes about `workMs` here (the median of a few timings). */
function calibrate(workMs: number): number {
  const probe = 2_000_000
  const times: number[] = []
  for (let i = 0; i < 7; i++) {
    const t = performance.now()
    spin({ rounds: probe })
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return Math.max(1, Math.round((probe * workMs) / times[3]!))
}

function rssMbOf(pid: number | null): number {
  if (pid === null) return Number.NaN
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) / 1024 : Number.NaN
  } catch {
    return Number.NaN
  }
}

/** Calls per second through `hosts` hosts, and one host's RSS at the end. */
async function runSide(
  hosts: number,
  calls: number,
  rounds: number,
): Promise<{ perSecond: number; rssMb: number }> {
  const launcher = createLauncher({
    hostEntry: benchChildScriptPath('call-host'),
    commands: CALL_COMMANDS,
    hosts,
    standby: 0,
    // A busy host still takes calls when all are busy; nothing here waits on liveness.
    unresponsiveMs: 0,
  })
  try {
    await withTimeout(launcher.start(), START_TIMEOUT_MS, 'the pool hosts did not register')
    // Warm-up: each host compiles `spin` before the clock starts.
    await Promise.all(
      Array.from({ length: hosts * 4 }, () => launcher.call('spin', { rounds }, { timeoutMs: 0 })),
    )
    const t = performance.now()
    await Promise.all(
      Array.from({ length: calls }, () => launcher.call('spin', { rounds }, { timeoutMs: 0 })),
    )
    const perSecond = calls / ((performance.now() - t) / 1000)
    return { perSecond, rssMb: rssMbOf(launcher.diagnostics().hostPid) }
  } finally {
    await launcher.stop()
  }
}

export async function measurePool(config: PoolConfig, progress: (line: string) => void): Promise<PoolResult> {
  const spinRounds = calibrate(config.workMs)
  const one: number[] = []
  const two: number[] = []
  const ratios: number[] = []
  const rss: number[] = []
  for (let round = 0; round < config.rounds; round++) {
    const order = round % 2 === 0 ? [1, 2] : [2, 1]
    const got = new Map<number, number>()
    for (const hosts of order) {
      const side = await runSide(hosts, config.calls, spinRounds)
      got.set(hosts, side.perSecond)
      if (Number.isFinite(side.rssMb)) rss.push(side.rssMb)
    }
    one.push(got.get(1)!)
    two.push(got.get(2)!)
    ratios.push(got.get(2)! / got.get(1)!)
    progress(
      `pool round ${round + 1}/${config.rounds}: ${got.get(1)!.toFixed(1)} → ${got.get(2)!.toFixed(1)} calls/s (×${ratios.at(-1)!.toFixed(2)})`,
    )
  }
  const spread = spreadOf(ratios)
  return {
    poolSpeedup: spread.median,
    ratios: spread,
    perSecond: { one, two },
    spinRounds,
    hostRssMb: spreadOf(rss).median,
  }
}
