import type { TransportKind } from '../../shared/diagnostics'
import type { Logger } from '../base/logger'
import type { HostSpawner } from './host-spawner'

/** `--standby` default: one warm standby host (ARCHITECTURE §8). */
export const DEFAULT_STANDBY = 1

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
  /**
   * `--standby N`: warm standby hosts kept registered and idle, promoted at once when the active
   * host is lost (ARCHITECTURE §8). Default DEFAULT_STANDBY (1); 0 turns standby off.
   */
  standby?: number
  /**
   * `--unresponsive-ms`: a host with work outstanding that sends no frame for this long (or holds
   * a command this long past its deadline) is killed and replaced (ARCHITECTURE §8). Default
   * 5000 (UNRESPONSIVE_MS); 0 turns liveness off.
   */
  unresponsiveMs?: number
  /** Reported as `launcher_version`; default the package version. */
  version?: string
  log?: Logger
}
