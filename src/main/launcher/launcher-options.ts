import type { TransportKind } from '../../shared/diagnostics'
import type { Logger } from '../base/logger'
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
