import { statSync } from 'node:fs'
import type { TransportKind } from '../../shared/diagnostics'
import { HostStartError } from '../../shared/host-start-error'
import type { Disposable } from '../base/disposable'
import type { FrameConnection } from '../ipc/frame-connection'

/** How a host process ended. `crashed` is false only for a clean exit (code 0, no signal). */
export interface HostExitInfo {
  code: number | null
  signal: string | null
  crashed: boolean
}

/** A running host process, whichever API started it (child_process.fork, utilityProcess.fork). */
export interface HostProcess {
  readonly pid: number | undefined
  /** Sends a signal; false when the process is already gone. */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): boolean
  /** Calls `fn` once when the process has exited (soon, if it already has); disposing unsubscribes. */
  onExit(fn: (info: HostExitInfo) => void): Disposable
  /** The `port` transport's channel to this host; undefined with the `pipe` transport. */
  readonly connection: FrameConnection | undefined
  /** The entry file it runs, when the spawner knows it (named by HostStartError). */
  readonly entry?: string
  /**
   * The last lines of its stderr (at most 20 lines and 4 KiB, see LineTail), oldest first, once
   * its stderr has ended (or shortly after its exit, whichever comes first). Optional: a spawner
   * that does not read the host's output has none.
   */
  stderrTail?(): Promise<readonly string[]>
}

/** A host spawned as a warm standby (docs/launcher.md) gets HOSTPIPE_ROLE=standby. */
export type HostRole = 'standby'

export interface SpawnHostOptions {
  transport: TransportKind
  /** The per-launch secret, for HOSTPIPE_TOKEN. */
  token: string
  /** The launcher's socket, for HOSTPIPE_PIPE (pipe transport); null with the port transport. */
  socketPath: string | null
  /** Names this spawn, for HOSTPIPE_SPAWN_ID (echoed as `register.spawn_id`). */
  spawnId?: string
  /** `standby` for a warm standby (HOSTPIPE_ROLE); undefined for the active host. */
  role?: HostRole
  /** Extra argv for the host, e.g. ['--host-delay-ms', '5']. */
  args: string[]
  /** Node flags for the host, before its entry (the app's `execArgv`). Default none. */
  execArgv?: readonly string[]
  /**
   * The app's variables, set over the spawner's base environment (`process.env`) and under the
   * ones `hostEnvironment` builds: the launcher's HOSTPIPE_* variables always win.
   */
  env?: Readonly<Record<string, string>>
  /** The host's working directory. Default the launcher's. */
  cwd?: string
  /** The pool slot the host is spawned for (names it under Electron). Default 0. */
  slot?: number
}

/** Starts host processes. Node: `child_process.spawn`; Electron: `utilityProcess.fork`. */
export interface HostSpawner {
  spawn(opts: SpawnHostOptions): HostProcess
  /**
   * Frees what the spawner keeps ready ahead of the next spawn (NodeHostSpawner: one set of
   * output FIFOs). The launcher calls it when it is disposed; spawning afterwards still works.
   */
  dispose?(): void
}

/**
 * `opts.env`, then over it the variables a host reads to find its launcher (see
 * host/host-config.ts): HOSTPIPE_TRANSPORT, HOSTPIPE_TOKEN, HOSTPIPE_PIPE with the pipe
 * transport, HOSTPIPE_SPAWN_ID when the spawn is named and HOSTPIPE_ROLE for a standby. An app
 * variable of the same name never redirects a host. Every spawner builds the host's environment
 * with this, over its own base environment.
 */
export function hostEnvironment(opts: SpawnHostOptions): Record<string, string> {
  const env: Record<string, string> = { ...opts.env }
  env.HOSTPIPE_TRANSPORT = opts.transport
  env.HOSTPIPE_TOKEN = opts.token
  if (opts.transport === 'pipe' && opts.socketPath !== null) env.HOSTPIPE_PIPE = opts.socketPath
  if (opts.spawnId !== undefined) env.HOSTPIPE_SPAWN_ID = opts.spawnId
  if (opts.role !== undefined) env.HOSTPIPE_ROLE = opts.role
  return env
}

/**
 * `cwd` when it is undefined or a directory; else a HostStartError `SPAWN_FAILED` naming it
 * (spawning there would fail with an error that names the executable instead).
 */
export function checkHostCwd(cwd: string | undefined): string | undefined {
  if (cwd === undefined || statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) return cwd
  throw new HostStartError('SPAWN_FAILED', `the host's cwd is not a directory: ${cwd}`)
}
