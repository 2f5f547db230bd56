import type { Clock } from '../base/clock'
import type { Logger } from '../base/logger'
import type { HostProcess, HostRole } from './host-spawner'
import type { RestartBackoff, RestartBackoffOptions } from './restart-backoff'

/** How long a host may take to exit after SIGTERM before it gets SIGKILL. */
export const STOP_GRACE_MS = 2_000
/** A host that has not registered this long after its spawn is killed (and counts as a crash). */
export const START_TIMEOUT_MS = 15_000

export interface HostSupervisorOptions {
  /**
   * Starts one host process. Whoever spawns builds its argv and environment (token, socket path,
   * transport): the supervisor only decides when, and names each spawn (`spawnId`, for
   * HOSTPIPE_SPAWN_ID: a registration echoing it is the process we spawned). May throw (counted as
   * a start failure).
   */
  spawn: (spawnId: string, role?: HostRole) => HostProcess
  /**
   * Warm standby hosts to keep (`--standby N`, docs/launcher.md); default 0 here (the launcher
   * defaults it to 1). They are spawned once the active host is running, with role `standby`.
   */
  standby?: number
  /**
   * Closes the launcher's connection to the current host (the polite stop: a host exits when its
   * connection closes). Must be idempotent and must not throw.
   */
  closeHostConnection?: (reason: string) => void
  clock?: Clock
  /** Default: RestartBackoff over the same clock, with `maxRestarts` applied. */
  backoff?: RestartBackoff
  maxRestarts?: number
  /** Passed to the default RestartBackoff (e.g. `random` in tests). */
  backoffOptions?: Omit<RestartBackoffOptions, 'maxRestarts' | 'now'>
  /** Default STOP_GRACE_MS. */
  graceMs?: number
  /** Default START_TIMEOUT_MS; 0 disables. */
  startTimeoutMs?: number
  log?: Logger
}
