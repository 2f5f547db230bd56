import type { TransportKind } from '../../shared/diagnostics'
import type { FrameConnection } from '../ipc/frame-connection'

/** A running host process, whichever API started it (child_process.fork, utilityProcess.fork). */
export interface HostProcess {
  readonly pid: number | undefined
  /** Sends a signal; false when the process is already gone. */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): boolean
  /** Called once when the process has exited. `crashed` is false only for a clean exit (code 0). */
  onExit(fn: (info: { code: number | null; signal: string | null; crashed: boolean }) => void): void
  /** The `port` transport's channel to this host; undefined with the `pipe` transport. */
  readonly connection: FrameConnection | undefined
}

export interface SpawnHostOptions {
  transport: TransportKind
  /** HOSTPIPE_PIPE (pipe transport), HOSTPIPE_TOKEN, … merged into the host's environment. */
  env: Record<string, string>
  /** Extra argv for the host, e.g. ['--host-delay-ms', '5']. */
  args: string[]
}

/** Starts host processes. Node: `child_process.fork`; Electron: `utilityProcess.fork`. */
export interface HostSpawner {
  spawn(opts: SpawnHostOptions): HostProcess
}
