import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from '../../src/main/host-pipe'
import { NodeHostSpawner } from '../../src/main/headless/node-host-spawner'
import { createLauncher } from '../../src/main/launcher/launcher'
import { HOST_SCRIPT, requireBuiltHost } from '../support/ipc-launcher-harness'
import { waitFor } from '../support/ipc-wait'
import { SeededRandom } from '../support/seeded-random'
import { judgeChaos, type ChaosVerdict } from './chaos-accounting'
import { HostKiller } from './host-killer'
import { readHostRecords } from './host-records'
import { PipeOracle } from './pipe-oracle'
import { RecordingSpawner } from './recording-spawner'
import { SagaLedger } from './saga-ledger'
import { SagaStream } from './saga-stream'
import { TerminalCountingTool } from './terminal-counting-tool'

export interface ChaosConfig {
  form: 'short' | 'long'
  seed: number
  /** SIGKILLs to deliver. */
  kills: number
  /** Sagas (one command each) started per second. */
  ratePerSecond: number
  /** How long a host streams before a `streaming` kill, in ms. */
  streamMs: readonly [number, number]
  /** The launcher's saga timeout: every issued saga ends within it, so the run settles. */
  sagaTimeoutMs: number
  /** The whole run must end within this. */
  budgetMs: number
  /** How far the launcher's RSS may grow past its post-warm-up baseline. */
  rssGrowthLimitMb: number
}

/** Sagas started at the end against the last host, which must all complete. */
const LIVENESS_SAGAS = 100

const mb = (bytes: number): number => Math.round(bytes / (1024 * 1024))

/**
 * One chaos run against the real launcher, in process: `createLauncher` with the real
 * `NodeHostSpawner` forking `out/main/host.js` over the pipe transport, sagas streaming through
 * the `burst` action, hosts SIGKILLed at random moments. Everything the launcher does to HostPipe
 * is watched by the oracle; every event it emits goes to the ledger; each host records what it
 * executed. Returns the verdict once every saga has ended and the launcher is disposed.
 */
export async function runChaos(cfg: ChaosConfig): Promise<ChaosVerdict> {
  requireBuiltHost()
  const deadline = performance.now() + cfg.budgetMs
  const remaining = (): number => Math.max(1000, deadline - performance.now())
  const rssBefore = process.memoryUsage().rss
  const recordDir = await mkdtemp(join(tmpdir(), 'hostpipe-chaos-'))
  const random = new SeededRandom(cfg.seed)
  const ledger = new SagaLedger()
  const launcherErrors: string[] = []
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (...a) => void launcherErrors.push(a.map(String).join(' ')),
  }
  let killer: HostKiller | undefined
  const oracle = new PipeOracle({
    isSagaEnded: (id) => ledger.isEnded(id),
    onRegistered: (session) => killer?.onRegistered(session),
  })
  const spawner = new RecordingSpawner(
    new NodeHostSpawner({ hostScript: HOST_SCRIPT, log }),
    recordDir,
    (h) => killer?.onSpawned(h),
  )
  const uninstallOracle = oracle.install()
  const launcher = createLauncher({
    spawner,
    maxRestarts: 1_000_000,
    // The killer plans each kill on the latest spawned host, the active one: no standbys here
    // (standby promotion under kills is covered by test/integration/warm-standby.test.ts).
    standby: 0,
    sagaTimeoutMs: cfg.sagaTimeoutMs,
    log,
  })
  const stopLedger = launcher.subscribeEvents(ledger.onEvent)
  const stream = new SagaStream(cfg.ratePerSecond, (count) => launcher.diagnostics.act('burst', { count }))
  let rssPeak = 0
  const rssSampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100)
  const startedAt = performance.now()
  let tool: TerminalCountingTool | undefined
  try {
    await launcher.start()
    const feed = launcher.diagnostics
    tool = await TerminalCountingTool.connect(feed.snapshot().socketPath!, launcher.apiToken)
    await waitFor(() => tool!.isRegistered, 'the tool client to register', remaining(), 20)
    killer = new HostKiller({
      random,
      kills: cfg.kills,
      streamMs: cfg.streamMs,
      nudgeAfterMs: 250,
      startHost: () => feed.act('start-host'),
      latest: () => spawner.latest,
    })
    stream.start()
    killer.arm()
    // Warm-up: the baseline is taken once the launcher has been through a few kills.
    await waitFor(() => killer!.kills >= Math.min(3, cfg.kills), 'the first kills', remaining(), 20)
    const rssBaseline = process.memoryUsage().rss
    await waitFor(
      () => killer!.hasSurvivor,
      `${cfg.kills} kills and a host registered after them`,
      remaining(),
      20,
    )
    stream.stop()
    killer.stop()
    const streamEndedAt = performance.now()
    await waitFor(
      () => {
        const s = feed.snapshot()
        return s.sagas.inFlight === 0 && s.pending === 0 && s.inFlight === 0
      },
      'every saga to end',
      remaining(),
      20,
    )
    // The launcher is alive: a last burst against the surviving host completes in full.
    const completedBefore = ledger.completedCount
    const failedBefore = ledger.failedCount
    await feed.act('burst', { count: LIVENESS_SAGAS })
    await waitFor(
      () => ledger.completedCount + ledger.failedCount === completedBefore + failedBefore + LIVENESS_SAGAS,
      'the liveness burst',
      remaining(),
      20,
    )
    if (ledger.failedCount !== failedBefore) launcherErrors.push('the liveness burst had failures')
    await waitFor(() => feed.snapshot().inFlight === 0, 'the liveness acks', remaining(), 20)
    const ended = ledger.completedCount + ledger.failedCount
    await waitFor(
      () => tool!.isClosed || tool!.terminals.sum === ended,
      'the tool client to see every terminal',
      remaining(),
      20,
    )
    const end = feed.snapshot()
    const wasToolCutOff = tool.isClosed
    const rssEnd = process.memoryUsage().rss
    rssPeak = Math.max(rssPeak, rssEnd)
    const durationMs = streamEndedAt - startedAt

    await launcher.dispose()
    const records = await readHostRecords(spawner.hosts.map((h) => h.recordPath))
    return judgeChaos({
      form: cfg.form,
      seed: cfg.seed,
      durationMs,
      targetRate: cfg.ratePerSecond,
      achievedRate: stream.achievedRate,
      kills: killer.kills,
      killsByMoment: killer.byMoment,
      startHostNudges: killer.nudges,
      hostProcesses: spawner.hosts.length,
      supervisorRestarts: end.restarts,
      counters: end.counters,
      pending: end.pending,
      inFlight: end.inFlight,
      openSagas: end.sagas.inFlight,
      oracle,
      ledger,
      tool: { terminals: tool.terminals, wasCutOff: wasToolCutOff },
      records,
      rssMb: { before: mb(rssBefore), baseline: mb(rssBaseline), peak: mb(rssPeak), end: mb(rssEnd) },
      rssGrowthLimitMb: cfg.rssGrowthLimitMb,
      launcherErrors,
    })
  } finally {
    clearInterval(rssSampler)
    tool?.close()
    stream.stop()
    killer?.stop()
    await launcher.dispose()
    stopLedger()
    uninstallOracle()
    await rm(recordDir, { recursive: true, force: true })
  }
}
