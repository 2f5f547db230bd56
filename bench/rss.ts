import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { LauncherRig } from './launcher-rig'
import { runWindowed } from './windowed-run'

const MB = 1024 * 1024
const CHUNK = 100_000
const CONFIG_ENV = 'HOSTPIPE_BENCH_RSS'

export interface RssConfig {
  warmupCommands: number
  commands: number
}

export interface RssResult {
  /** RSS after the run minus RSS after the warm-up, both right after a full GC. */
  growthMb: number
  beforeMb: number
  afterMb: number
  /** Highest RSS seen during the run (sampled every 100 ms, no GC forced). */
  peakMb: number
  heapBeforeMb: number
  heapAfterMb: number
  commandsPerSecond: number
  config: RssConfig
}

/**
 * Launcher RSS growth over `commands` commands after a warm-up. The launcher side (HostPipe,
 * LauncherServer, SocketServer, DiagnosticsFeed, the driver) runs in a child process of its own,
 * started with --expose-gc, so no other scenario's heap or JIT state is in the number.
 */
export function measureRss(config: RssConfig, progress: (line: string) => void): Promise<RssResult> {
  progress(`rss: ${config.warmupCommands} warm-up + ${config.commands} commands in a launcher child process`)
  const child = fork(fileURLToPath(import.meta.url), ['--child=rss'], {
    execArgv: ['--expose-gc', '--enable-source-maps'],
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  return new Promise<RssResult>((resolve, reject) => {
    let result: RssResult | undefined
    child.on('message', (m: unknown) => {
      const msg = m as { progress?: string; result?: RssResult }
      if (msg.progress) progress(msg.progress)
      if (msg.result) result = msg.result
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (result) resolve(result)
      else reject(new Error(`the rss child exited with code ${code} and no result`))
    })
  })
}

/** The child's side: runs the launcher rig and reports over the IPC channel. */
export async function runRssChild(): Promise<void> {
  const config = JSON.parse(process.env[CONFIG_ENV] ?? '') as RssConfig
  const send = (m: { progress?: string; result?: RssResult }): void => void process.send?.(m)
  const rig = await LauncherRig.start()
  try {
    await runWindowed(rig, config.warmupCommands)
    await settle()
    const before = process.memoryUsage()
    let peak = before.rss
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100)
    const started = performance.now()
    for (let done = 0; done < config.commands;) {
      const n = Math.min(CHUNK, config.commands - done)
      await runWindowed(rig, n)
      done += n
      if (done % (CHUNK * 5) === 0 || done === config.commands)
        send({ progress: `rss: ${done} commands, RSS ${(process.memoryUsage().rss / MB).toFixed(1)} MB` })
    }
    const ms = performance.now() - started
    clearInterval(sampler)
    await settle()
    const after = process.memoryUsage()
    send({
      result: {
        growthMb: (after.rss - before.rss) / MB,
        beforeMb: before.rss / MB,
        afterMb: after.rss / MB,
        peakMb: Math.max(peak, after.rss) / MB,
        heapBeforeMb: before.heapUsed / MB,
        heapAfterMb: after.heapUsed / MB,
        commandsPerSecond: (config.commands / ms) * 1000,
        config,
      },
    })
  } finally {
    await rig.dispose()
  }
}

/** Two full GCs with a pause between, so finalisers and freed pages have settled. */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('the rss scenario needs node --expose-gc')
  gc()
  await new Promise((resolve) => setTimeout(resolve, 100))
  gc()
}
