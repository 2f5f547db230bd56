import { readFileSync } from 'node:fs'
import { NodeHostSpawner } from '../src/main/headless/node-host-spawner'
import { createLauncher, type Launcher } from '../src/main/launcher/launcher'
import type { DiagnosticsSnapshot } from '../src/shared/diagnostics'
import { hostScriptPath } from './bench-host'
import { median } from './stats'

/** Sagas in flight on the host when it is killed (spawn_pool_window: never retried, they fail). */
const IN_FLIGHT_BURST = 500
const WARMUP_SAGAS = 2000
const WAIT_TIMEOUT_MS = 15_000

export interface FailoverConfig {
  repetitions: number
  /** Chaos: how long the 10k sagas/s stream runs, with a SIGKILL of the active host each second. */
  chaosMs: number
}

export interface FailoverSample {
  /** SIGKILL → the standby holds the pipe (a new session). */
  promotedMs: number
  /** SIGKILL → the sagas sent after the kill (the buffer) all completed on the promoted host. */
  drainedMs: number
  /** Sagas sent during the gap (after the kill, before the promotion). */
  buffered: number
}

export interface FailoverResult {
  /** Median of `drainedMs` (`failoverMs`). */
  failoverMs: number
  samples: FailoverSample[]
  /** RSS of one idle standby host, MB (from /proc; NaN where there is none). */
  standbyRssMb: number
  /** Chaos with `spawn_pool_window` (never retried: at-most-once). */
  chaos: ChaosResult
  /** The same chaos with `reap_panes` (retried on host loss, docs/protocol.md#retry-on-host-loss). */
  chaosRetry: ChaosResult
  config: FailoverConfig
}

export interface ChaosResult {
  started: number
  failed: number
  kills: number
  /** failed ÷ started, in % */
  failedPct: number
  reasons: Record<string, number>
}

function newLauncher(): Launcher {
  // Chaos kills the host every second: past the default --max-restarts (5 in 60 s) on purpose.
  return createLauncher({
    spawner: new NodeHostSpawner({ hostScript: hostScriptPath() }),
    maxRestarts: 1_000_000,
  })
}

/**
 * Warm standby: SIGKILL of the active host (from outside, as a crash) →
 * standby promoted and the sagas sent meanwhile drained; the memory of an idle standby; and
 * the chaos run: 10k sagas/s offered while the active host is SIGKILLed every second.
 */
export async function measureFailover(
  config: FailoverConfig,
  progress: (line: string) => void,
): Promise<FailoverResult> {
  const samples: FailoverSample[] = []
  let standbyRssMb = Number.NaN
  for (let i = 0; i < config.repetitions; i++) {
    const launcher = newLauncher()
    try {
      await launcher.start()
      const { sample, rssMb } = await killOnce(launcher)
      if (i === 0) standbyRssMb = rssMb
      samples.push(sample)
      progress(
        `failover: ${i + 1}/${config.repetitions}: promoted ${sample.promotedMs.toFixed(1)} ms, ` +
          `drained ${sample.drainedMs.toFixed(1)} ms (${sample.buffered} sent in the gap)`,
      )
    } finally {
      await launcher.dispose()
    }
  }
  const chaos = await runChaos(config.chaosMs, 'spawn_pool_window', progress)
  const chaosRetry = await runChaos(config.chaosMs, 'reap_panes', progress)
  return {
    failoverMs: median(samples.map((s) => s.drainedMs)),
    samples,
    standbyRssMb,
    chaos,
    chaosRetry,
    config,
  }
}

function waitUntil(
  launcher: Launcher,
  what: string,
  done: (s: DiagnosticsSnapshot) => boolean,
): Promise<void> {
  const d = launcher.diagnostics
  return new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (!done(d.snapshot())) return
      clearTimeout(deadline)
      clearInterval(poll)
      unsubscribe()
      resolve()
    }
    const deadline = setTimeout(() => {
      clearInterval(poll)
      unsubscribe()
      reject(new Error(`timed out waiting for ${what}`))
    }, WAIT_TIMEOUT_MS)
    const poll = setInterval(check, 1)
    // One check per burst of events, not one per event: a host loss fails hundreds of sagas in
    // one go, and a snapshot each would load the very launcher being measured.
    let isCheckQueued = false
    const unsubscribe = launcher.subscribeEvents(() => {
      if (isCheckQueued) return
      isCheckQueued = true
      queueMicrotask(() => {
        isCheckQueued = false
        check()
      })
    })
    check()
  })
}

async function killOnce(launcher: Launcher): Promise<{ sample: FailoverSample; rssMb: number }> {
  const d = launcher.diagnostics
  await waitUntil(launcher, 'a ready standby', (s) => s.standby >= 1)
  await d.act('burst', { count: WARMUP_SAGAS })
  await waitUntil(launcher, 'the warm-up sagas', (s) => s.sagas.inFlight === 0)
  // The standby has idled through the warm-up: its memory now is what a spare costs.
  const rssMb = rssOfPid(d.snapshot().standbyPids[0])
  const before = d.snapshot()
  await d.act('burst', { count: IN_FLIGHT_BURST })
  const killedAt = performance.now()
  process.kill(before.hostPid!, 'SIGKILL')
  // Sent at once after the kill: whatever the gap holds is buffered for the promoted host.
  await d.act('burst', { count: before.capacity })
  const buffered = d.snapshot().pending
  let promotedAt: number | undefined
  await waitUntil(launcher, 'the promoted standby and the drain', (s) => {
    if (promotedAt === undefined && s.connected && s.sessionId > before.sessionId)
      promotedAt = performance.now()
    return promotedAt !== undefined && s.pending === 0 && s.sagas.inFlight === 0
  })
  const drainedAt = performance.now()
  if (d.snapshot().failovers < 1) throw new Error('the host was replaced without a failover')
  return {
    sample: { promotedMs: promotedAt! - killedAt, drainedMs: drainedAt - killedAt, buffered },
    rssMb,
  }
}

/** VmRSS of a process, in MB (Linux /proc); NaN when unknown. */
function rssOfPid(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : Number.NaN
  } catch {
    return Number.NaN
  }
}

/**
 * 10k sagas/s offered (100 every 10 ms) for `durationMs`, SIGKILL of the active host every second
 * (the first after 1 s), default options but --max-restarts. Failed ÷ started, in %.
 * `spawn_pool_window` is at-most-once: its sagas in flight at a kill fail (`host disconnected
 * before ack`). `reap_panes` is idempotent and retried on the next host
 * (docs/protocol.md#retry-on-host-loss).
 */
async function runChaos(
  durationMs: number,
  cmd: 'spawn_pool_window' | 'reap_panes',
  progress: (line: string) => void,
): Promise<ChaosResult> {
  const launcher = newLauncher()
  const reasons: Record<string, number> = {}
  let started = 0
  let failed = 0
  let kills = 0
  launcher.subscribeEvents((e) => {
    if (e.event === 'saga_started') started++
    else if (e.event === 'saga_failed') {
      failed++
      reasons[e.reason] = (reasons[e.reason] ?? 0) + 1
    }
  })
  try {
    await launcher.start()
    const d = launcher.diagnostics
    await waitUntil(launcher, 'a ready standby', (s) => s.standby >= 1)
    const startedAt = performance.now()
    const stream =
      cmd === 'spawn_pool_window'
        ? setInterval(() => void d.act('burst', { count: 100 }), 10)
        : setInterval(() => {
            for (let i = 0; i < 100; i++) launcher.startSaga({ cmd: 'reap_panes', label: 'w1' })
          }, 10)
    const killer = setInterval(() => {
      const pid = d.snapshot().hostPid
      if (pid === null) return
      try {
        process.kill(pid, 'SIGKILL')
        kills++
      } catch {
        // Already gone: the next second's kill goes to its successor.
      }
    }, 1000)
    await new Promise((resolve) => setTimeout(resolve, durationMs))
    clearInterval(stream)
    clearInterval(killer)
    await waitUntil(launcher, 'every chaos saga to end', (s) => s.sagas.inFlight === 0)
    const elapsedS = (performance.now() - startedAt) / 1000
    const end = d.snapshot()
    progress(
      `chaos (${cmd}): restarts ${end.restarts}, failovers ${end.failovers}, counters ${JSON.stringify(end.counters)}`,
    )
    const result = {
      started,
      failed,
      kills,
      failedPct: started === 0 ? Number.NaN : (100 * failed) / started,
      reasons,
    }
    progress(
      `chaos (${cmd}): ${kills} kills in ${elapsedS.toFixed(1)} s, ${started} sagas started, ${failed} failed ` +
        `(${result.failedPct.toFixed(3)} %): ${JSON.stringify(reasons)}`,
    )
    return result
  } finally {
    await launcher.dispose()
  }
}
