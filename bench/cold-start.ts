import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hostScriptPath } from './bench-host'
import { median } from './stats'

/** The baseline: a one-line Node script doing the host's connect (socket, one `register` line). */
const BARE_SCRIPT =
  "require('net').connect(process.env.HOSTPIPE_PIPE,function(){this.write(JSON.stringify({cmd:'register'})+'\\n')})"
const WAIT_TIMEOUT_MS = 10_000

export interface ColdStartConfig {
  /** Alternating pairs (host, bare script); the medians are over these. */
  pairs: number
}

export interface ColdStartResult {
  /** Host spawn → its `register` frame received by the launcher's socket, median ms. */
  coldStartMs: number
  /** The same for the one-line script, median ms. */
  bareStartMs: number
  hostSamples: number[]
  bareSamples: number[]
  config: ColdStartConfig
}

/**
 * Host cold start: `child_process.spawn` of out/main/host.js → its `register` line arrives on
 * the launcher's Unix socket, against a one-line Node script spawned the same way that connects
 * and writes one line. The difference is what the host costs beyond Node itself.
 * Pairs alternate so a burst of other load spoils a pair, not one side.
 */
export async function measureColdStart(
  config: ColdStartConfig,
  progress: (line: string) => void,
): Promise<ColdStartResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hostpipe-cold-'))
  const path = join(dir, 'pipe.sock')
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(path, resolve))
  const hostSamples: number[] = []
  const bareSamples: number[] = []
  try {
    // One unmeasured start each: the first start pays for the page cache.
    await timeStart(server, path, 'host')
    await timeStart(server, path, 'bare')
    for (let i = 0; i < config.pairs; i++) {
      hostSamples.push(await timeStart(server, path, 'host'))
      bareSamples.push(await timeStart(server, path, 'bare'))
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    rmSync(dir, { recursive: true, force: true })
  }
  const result = {
    coldStartMs: median(hostSamples),
    bareStartMs: median(bareSamples),
    hostSamples,
    bareSamples,
    config,
  }
  progress(
    `cold start: host ${result.coldStartMs.toFixed(1)} ms, bare script ${result.bareStartMs.toFixed(1)} ms ` +
      `(medians of ${config.pairs} pairs)`,
  )
  return result
}

/** Spawns one process and resolves with ms from the spawn to its first full line on the socket. */
function timeStart(server: Server, path: string, kind: 'host' | 'bare'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const env = {
      ...process.env,
      HOSTPIPE_PIPE: path,
      HOSTPIPE_TRANSPORT: 'pipe',
      HOSTPIPE_TOKEN: 'cold-start-bench',
    }
    const startedAt = performance.now()
    // Both as the headless spawner starts a host: node and its argv, no IPC channel (hosts get none).
    const argv = kind === 'host' ? [hostScriptPath()] : ['-e', BARE_SCRIPT]
    const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'ignore', 'ignore'] })
    const exited = new Promise<void>((done) => child.once('exit', () => done()))
    const timer = setTimeout(
      () => finish(new Error(`${kind}: no line within ${WAIT_TIMEOUT_MS} ms`)),
      WAIT_TIMEOUT_MS,
    )
    const onConnection = (socket: Socket): void => {
      let text = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => {
        text += chunk
        if (text.includes('\n')) {
          const ms = performance.now() - startedAt
          socket.destroy()
          finish(undefined, ms)
        }
      })
      socket.on('error', () => undefined)
    }
    const finish = (err: Error | undefined, ms?: number): void => {
      clearTimeout(timer)
      server.off('connection', onConnection)
      child.kill('SIGKILL')
      void exited.then(() => (err ? reject(err) : resolve(ms!)))
    }
    server.on('connection', onConnection)
  })
}
