import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { DisposableStore, type Disposable } from '../base/disposable'
import { silentLogger, type Logger } from '../base/logger'
import { OnceEmitter } from '../base/once-emitter'
import {
  hostEnvironment,
  type HostExitInfo,
  type HostProcess,
  type HostSpawner,
  type SpawnHostOptions,
} from '../launcher/host-spawner'
import { childIpcConnection } from '../ipc/child-ipc-connection'
import type { FrameConnection } from '../ipc/frame-connection'

export interface NodeHostSpawnerOptions {
  /** The built host entry. Default: `host.js` beside the launcher bundle (see `defaultHostScript`). */
  hostScript?: string
  /** Where the host's stdout and stderr lines go (never to the launcher's stdout). */
  log?: Logger
  /** Node flags for the host. Default none: the launcher's own flags are not inherited. */
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

/** Starts hosts with `child_process.fork` (headless). */
export class NodeHostSpawner implements HostSpawner {
  private readonly hostScript: string
  private readonly log: Logger
  private readonly execArgv: string[]
  private readonly baseEnv: NodeJS.ProcessEnv

  constructor(opts: NodeHostSpawnerOptions = {}) {
    this.hostScript = opts.hostScript ?? defaultHostScript()
    this.log = opts.log ?? silentLogger
    this.execArgv = opts.execArgv ?? []
    this.baseEnv = opts.baseEnv ?? process.env
  }

  spawn(opts: SpawnHostOptions): HostProcess {
    const child = fork(this.hostScript, opts.args, {
      env: { ...this.baseEnv, ...hostEnvironment(opts) },
      execArgv: this.execArgv,
      // stdin is not used; the IPC channel is there in both transports so the host notices when
      // the launcher dies (its 'disconnect'), even on the pipe transport.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    })
    return new NodeHostProcess(
      child,
      opts.transport === 'port' ? childIpcConnection(child) : undefined,
      this.log,
    )
  }
}

class NodeHostProcess implements HostProcess {
  private readonly didExit = new OnceEmitter<HostExitInfo>()

  constructor(
    private readonly child: ChildProcess,
    readonly connection: FrameConnection | undefined,
    private readonly log: Logger,
  ) {
    const tag = `[host ${child.pid ?? '?'}]`
    // The host tags its own log lines; untagged output (a crash trace) gets the tag here.
    const tagged = (line: string): string => (line.startsWith(tag) ? line : `${tag} ${line}`)
    forwardLines(child.stdout, (line) => log.info(tagged(line)))
    forwardLines(child.stderr, (line) => log.info(tagged(line)))
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
    this.didExit.fire({ code, signal, crashed: code !== 0 })
  }
}

function forwardLines(stream: Readable | null, fn: (line: string) => void): void {
  if (!stream) return
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', fn)
}
