import { NodeHostSpawner } from '../src/main/headless/node-host-spawner'
import type { HostSpawner } from '../src/main/launcher/host-spawner'
import { createLauncher } from '../src/main/launcher/launcher'
import type { DiagnosticsSnapshot } from '../src/shared/diagnostics'
import { hostScriptPath } from './bench-host'
import { median } from './stats'

/**
 * Sagas issued just before the host is killed: some are on the wire unacked (their sagas fail,
 * never replayed), some may still be queued for the writer (they go back to the buffer, FIFO).
 */
const IN_FLIGHT_BURST = 500
/** Warm-up sagas through the whole launcher before the kill. */
const WARMUP_SAGAS = 2000
const WAIT_TIMEOUT_MS = 15_000

export interface ReconnectConfig {
  repetitions: number
}

/** One kill, with its milestones in ms after the SIGKILL. */
export interface ReconnectSample {
  /** The old host's exit reached the supervisor. */
  exitMs: number
  /** The supervisor spawned the new host (after its restart backoff). */
  spawnMs: number
  /** The new host registered: HostPipe connected on a new session. */
  registeredMs: number
  /** The buffer was drained into the new host and every buffered saga completed: the result. */
  drainedMs: number
  inFlightAtKill: number
  buffered: number
}

export interface ReconnectResult {
  /** Median of `drainedMs`. */
  reconnectMs: number
  samples: ReconnectSample[]
  config: ReconnectConfig
}

/**
 * Host SIGKILL → new host registered → buffer drained, through the real launcher
 * (`createLauncher` + NodeHostSpawner + the HostSupervisor restart path with its backoff), with
 * commands in flight at the kill and a full buffer waiting for the new host. Each repetition is a
 * fresh launcher, so each kill is a first crash (restart backoff 50–100 ms, by the jitter).
 */
export async function measureReconnect(
  config: ReconnectConfig,
  progress: (line: string) => void,
): Promise<ReconnectResult> {
  const samples: ReconnectSample[] = []
  for (let i = 0; i < config.repetitions; i++) {
    const sample = await killOnce()
    samples.push(sample)
    progress(
      `reconnect: ${i + 1}/${config.repetitions}: exit ${sample.exitMs.toFixed(1)} ms, spawn ${sample.spawnMs.toFixed(1)} ms, ` +
        `registered ${sample.registeredMs.toFixed(1)} ms, drained ${sample.drainedMs.toFixed(1)} ms ` +
        `(${sample.inFlightAtKill} in flight at the kill, ${sample.buffered} buffered)`,
    )
  }
  return { reconnectMs: median(samples.map((s) => s.drainedMs)), samples, config }
}

async function killOnce(): Promise<ReconnectSample> {
  const spawns: number[] = []
  const exits: number[] = []
  const inner = new NodeHostSpawner({ hostScript: hostScriptPath() })
  const spawner: HostSpawner = {
    spawn(opts) {
      spawns.push(performance.now())
      const host = inner.spawn(opts)
      host.onExit(() => exits.push(performance.now()))
      return host
    },
  }
  // reconnectMs is the path without a spare (a standby would take over instead).
  const launcher = createLauncher({ spawner, standby: 0 })
  // Conditions are re-checked after every launcher event (a saga completing) and on a 1 ms poll.
  const checks: Array<() => void> = []
  launcher.subscribeEvents(() => {
    for (const check of checks) queueMicrotask(check)
  })
  try {
    await launcher.start()
    const d = launcher.diagnostics
    const act = async (action: 'burst' | 'kill-host', count?: number): Promise<void> => {
      const r = await d.act(action, count === undefined ? undefined : { count })
      if (!r.ok) throw new Error(`${action} refused: ${r.error}`)
    }
    const waitUntil = (what: string, done: (s: DiagnosticsSnapshot) => boolean): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => finish(new Error(`timed out waiting for ${what}`)), WAIT_TIMEOUT_MS)
        const poll = setInterval(() => check(), 1)
        const check = (): void => {
          if (done(d.snapshot())) finish()
        }
        const finish = (err?: Error): void => {
          clearTimeout(deadline)
          clearInterval(poll)
          checks.splice(checks.indexOf(check), 1)
          if (err) reject(err)
          else resolve()
        }
        checks.push(check)
        check()
      })

    await act('burst', WARMUP_SAGAS)
    await waitUntil('the warm-up sagas', (s) => s.sagas.inFlight === 0)
    const before = d.snapshot()

    await act('burst', IN_FLIGHT_BURST)
    const inFlightAtKill = d.snapshot().inFlight
    const killedAt = performance.now()
    await act('kill-host')
    await waitUntil('the disconnect', (s) => !s.connected)
    // Fills the buffer: what the new host must drain. (Frames that came back unwritten from the
    // dead host's queue are older, so drop-oldest evicts them, each with its saga_failed.)
    await act('burst', before.capacity)
    const buffered = d.snapshot().pending
    let registeredAt: number | undefined
    await waitUntil('the new host and the drain', (s) => {
      if (registeredAt === undefined && s.connected && s.sessionId > before.sessionId)
        registeredAt = performance.now()
      return registeredAt !== undefined && s.pending === 0 && s.sagas.inFlight === 0
    })
    const drainedAt = performance.now()
    const after = d.snapshot()
    if (after.sagas.completed - before.sagas.completed < buffered)
      throw new Error('buffered sagas did not complete on the new host')
    return {
      exitMs: (exits[0] ?? Number.NaN) - killedAt,
      spawnMs: (spawns[1] ?? Number.NaN) - killedAt,
      registeredMs: registeredAt! - killedAt,
      drainedMs: drainedAt - killedAt,
      inFlightAtKill,
      buffered,
    }
  } finally {
    await launcher.dispose()
  }
}
