import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { Socket } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DisposableStore, type Disposable } from '../base/disposable'
import { StderrTail } from '../base/line-tail'
import { silentLogger, type Logger } from '../base/logger'
import { OnceEmitter } from '../base/once-emitter'
import {
  checkHostCwd,
  hostEnvironment,
  type HostExitInfo,
  type HostProcess,
  type HostSpawner,
  type SpawnHostOptions,
} from '../launcher/host-spawner'
import { logHostOutput, outputLineLogger } from '../ipc/bounded-line-reader'
import type { FrameConnection } from '../ipc/frame-connection'
import { openOutputFifos, prepareFifoPairs, type FifoPairs, type OutputFifos } from '../ipc/output-fifos'
import { SocketConnection } from '../ipc/socket-connection'
import { HostStartError } from '../../shared/host-start-error'

/** How long after a spawn the next spawn's output FIFOs are made (ms). */
const SPARE_FIFOS_DELAY_MS = 100

/** The host's descriptor for the `port` transport's channel (env HOSTPIPE_PORT_FD). */
export const HOST_PORT_FD = 3

export interface NodeHostSpawnerOptions {
  /** The built host entry. Default: `host.js` beside the launcher bundle (see `defaultHostScript`). */
  hostScript?: string
  /** Where the host's stdout and stderr lines go (never to the launcher's stdout). */
  log?: Logger
  /** The host's stdout and stderr: `'log'` (default) line by line into `log`, or `'inherit'` or `'ignore'`. */
  output?: 'log' | 'inherit' | 'ignore'
  /**
   * Node flags for every host, before each spawn's own `execArgv`. Default none: the launcher's
   * own flags are not inherited.
   */
  execArgv?: string[]
  /** The environment each spawn's `env` is merged over. Default `process.env`. */
  baseEnv?: NodeJS.ProcessEnv
}

/**
 * Where `out/main/host.js` is, seen from the running launcher bundle. electron-vite may put
 * shared code in `out/main/chunks/`, so the directory above is tried too.
 */
export function defaultHostScript(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl))
  const candidates = [
    join(here, 'host.js'),
    join(here, '..', 'host.js'),
    join(process.cwd(), 'out', 'main', 'host.js'),
  ]
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!
}

/** Starts hosts under plain Node (headless). */
export class NodeHostSpawner implements HostSpawner {
  private readonly hostScript: string
  private readonly log: Logger
  private readonly output: 'log' | 'inherit' | 'ignore'
  private readonly execArgv: string[]
  private readonly baseEnv: NodeJS.ProcessEnv
  /** Output FIFOs made ahead of the next spawn, off the event loop (see `spawn`). */
  private spareFifos: FifoPairs | undefined
  private isPreparingFifos = false
  private isDisposed = false

  constructor(opts: NodeHostSpawnerOptions = {}) {
    // Absolute: a spawn's own `cwd` must not change which file the host runs.
    this.hostScript = resolve(opts.hostScript ?? defaultHostScript())
    this.log = opts.log ?? silentLogger
    this.output = opts.output ?? 'log'
    this.execArgv = opts.execArgv ?? []
    this.baseEnv = opts.baseEnv ?? process.env
  }

  /**
   * Starts a host with `child_process.spawn`, not `fork`: a forked child gets Node's IPC channel,
   * whose reader in the launcher buffers an unterminated line without limit and throws, uncaught,
   * on one that is not JSON (a host could kill the launcher with `not json\n`, or with 512 MiB and
   * no newline). So the host gets no channel but the one the transport names, read by our framer:
   * the `pipe` transport's socket, or for `port` a socket pair on fd HOST_PORT_FD carrying the same
   * NDJSON. stdout and stderr are read as lines of at most MAX_OUTPUT_LINE_BYTES, through FIFOs
   * read into one reused buffer where the OS has them (output-fifos.ts), else through pipes.
   *
   * Each spawn has the FIFOs of the next one made shortly after, in the background: the next
   * spawn (a replacement standby right after a failover) then blocks the event loop for its own
   * fork alone, not also for running `mkfifo` and waiting for it (3 to 5 ms measured here).
   */
  spawn(opts: SpawnHostOptions): HostProcess {
    // Said plainly here: Node's own error for a missing entry is a stack trace on the host's stderr.
    if (!existsSync(this.hostScript))
      throw new HostStartError('ENTRY_NOT_FOUND', `host entry not found: ${this.hostScript}`, {
        entry: this.hostScript,
      })
    const cwd = checkHostCwd(opts.cwd)
    const isPort = opts.transport === 'port'
    const prepared = this.spareFifos
    this.spareFifos = undefined
    const fifos = this.output === 'log' ? openOutputFifos(2, this.log, prepared) : undefined
    if (fifos) this.prepareSpareFifos()
    const outputStdio = this.output === 'log' ? 'pipe' : this.output
    let child: ChildProcess
    try {
      const execArgv = [...this.execArgv, ...(opts.execArgv ?? [])]
      child = spawn(process.execPath, [...execArgv, this.hostScript, ...opts.args], {
        cwd,
        env: {
          ...this.baseEnv,
          ...hostEnvironment(opts),
          ...(isPort ? { HOSTPIPE_PORT_FD: String(HOST_PORT_FD) } : {}),
        },
        // stdin is not used. A host notices the launcher is gone when its channel closes (the
        // launcher's end goes with the launcher), or by its parent pid changing.
        stdio: [
          'ignore',
          fifos?.channels[0]!.childFd ?? outputStdio,
          fifos?.channels[1]!.childFd ?? outputStdio,
          ...(isPort ? (['pipe'] as const) : []),
        ],
      })
    } catch (err) {
      fifos?.destroy()
      throw err
    }
    fifos?.closeChildEnds()
    const channel = isPort ? child.stdio[HOST_PORT_FD] : undefined
    const connection =
      channel instanceof Socket
        ? new SocketConnection(channel, {
            description: `host fd ${HOST_PORT_FD} pid ${child.pid ?? '?'}`,
            log: this.log,
          })
        : undefined
    return new NodeHostProcess(child, this.hostScript, connection, fifos, this.log)
  }

  /** Closes the spare FIFOs; spawning afterwards still works, without a spare. */
  dispose(): void {
    this.isDisposed = true
    this.spareFifos?.close()
    this.spareFifos = undefined
  }

  /**
   * Makes the next spawn's FIFOs a little later (SPARE_FIFOS_DELAY_MS, an unref'd timer): `mkfifo`
   * still forks on the event loop, and right after a spawn (a failover's replacement standby) that
   * fork would land on the promoted host's drain. Never rejects: without a spare the next spawn
   * makes its FIFOs itself.
   */
  private prepareSpareFifos(): void {
    if (this.isPreparingFifos || this.spareFifos || this.isDisposed) return
    this.isPreparingFifos = true
    setTimeout(() => {
      void prepareFifoPairs(2)
        .catch(() => undefined)
        .then((pairs) => {
          this.isPreparingFifos = false
          if (this.isDisposed || this.spareFifos) pairs?.close()
          else this.spareFifos = pairs
        })
    }, SPARE_FIFOS_DELAY_MS).unref()
  }
}

class NodeHostProcess implements HostProcess {
  private readonly didExit = new OnceEmitter<HostExitInfo>()
  private readonly stderrLines = new StderrTail()

  constructor(
    private readonly child: ChildProcess,
    readonly entry: string,
    readonly connection: FrameConnection | undefined,
    fifos: OutputFifos | undefined,
    private readonly log: Logger,
  ) {
    const tag = `[host ${child.pid ?? '?'}]`
    // The host tags its own log lines; untagged output (a crash trace) gets the tag here.
    const tagged = (line: string): void => log.info(line.startsWith(tag) ? line : `${tag} ${line}`)
    const taggedStderr = (line: string): void => {
      this.stderrLines.push(line)
      tagged(line)
    }
    if (fifos)
      fifos.channels.forEach((channel, i) => {
        const isStderr = i === 1
        const lines = outputLineLogger(isStderr ? taggedStderr : tagged)
        channel.read(
          (bytes) => lines.push(bytes),
          () => {
            lines.end()
            if (isStderr) this.stderrLines.noteEnded()
          },
        )
      })
    if (child.stdout) logHostOutput(child.stdout, tagged)
    if (child.stderr) {
      logHostOutput(child.stderr, taggedStderr)
      child.stderr.once('close', () => this.stderrLines.noteEnded())
    }
    child.once('exit', (code, signal) => this.exited(code, signal))
    child.on('error', (err) => {
      log.warn(`${tag} ${err.message}`)
      // A process that never started emits no 'exit'.
      if (child.pid === undefined) this.exited(null, null)
    })
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  kill(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): boolean {
    if (this.didExit.hasFired || this.child.exitCode !== null || this.child.signalCode !== null) return false
    return this.child.kill(signal)
  }

  stderrTail(): Promise<readonly string[]> {
    return this.stderrLines.read()
  }

  onExit(fn: (info: HostExitInfo) => void): Disposable {
    // A late listener still hears of the exit after the caller's own bookkeeping, as an early one does.
    if (this.didExit.hasFired) {
      const subscription = new DisposableStore()
      queueMicrotask(() => subscription.add(this.didExit.event(fn)))
      return subscription
    }
    return this.didExit.event(fn)
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.didExit.hasFired) return
    this.log.info(`[host ${this.child.pid ?? '?'}] exited (code ${code}, signal ${signal})`)
    this.stderrLines.noteExited()
    this.didExit.fire({ code, signal, crashed: code !== 0 })
  }
}
