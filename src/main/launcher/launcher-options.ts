import type { TransportKind } from '../../shared/diagnostics'
import type { Event } from '../../shared/protocol'
import type { Logger } from '../host-pipe'
import type { DiagnosticsSource } from './diagnostics-source'
import type { HostSpawner } from './host-spawner'

/** How a launcher (headless or Electron) is put together. Every option but the spawner has a default. */
export interface LauncherOptions {
  /** Starts host processes: child_process.fork headless, utilityProcess.fork in Electron. */
  spawner: HostSpawner
  /** Default 'pipe'. */
  transport?: TransportKind
  /** Extra argv for each host, e.g. ['--host-delay-ms', '5']. */
  hostArgs?: string[]
  /** Per-saga timeout; default 5000 (as AgentMux). */
  sagaTimeoutMs?: number
  /** Crashes within 60 s before giving up; default 5. */
  maxRestarts?: number
  /** Reported as `launcher_version`; default the package version. */
  version?: string
  log?: Logger
}

/** A running launcher: HostPipe + IPC server + supervisor + saga coordinator + diagnostics feed. */
export interface Launcher {
  /** Starts the IPC server and the first host; resolves once that host has registered. */
  start(): Promise<void>
  readonly diagnostics: DiagnosticsSource
  /** Every launcher event (sagas, pipe failures, …), for SSE and the Electron bridge. */
  subscribeEvents(fn: (e: Event) => void): () => void
  /**
   * The diagnostics API token: the one in the `Diagnostics:` URL, for the HTTP API and `tool`
   * clients. 256 random bits per launch.
   */
  readonly apiToken: string
  /**
   * The host token: hosts get it in env HOSTPIPE_TOKEN and register with it; it is never printed.
   * Refused by the HTTP API and for `tool` clients, as the API token is refused for hosts.
   */
  readonly hostToken: string
  /** The API token under its first name (before hosts got a secret of their own); use `apiToken`. */
  readonly token: string
  /** Stops the host (no orphans), closes the server, removes the socket. Idempotent. */
  dispose(): Promise<void>
}
