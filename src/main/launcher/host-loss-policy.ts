// What the launcher does when it finds a slot's host lost on its side: silent (a liveness
// verdict) or its connection gone. Apart from the launcher's composition because it is a rule,
// not wiring: only a process the supervisor spawned is ever signalled.
import type { Logger } from '../base/logger'
import type { RegisteredHost } from '../ipc/launcher-client'
import type { LauncherServer } from '../ipc/launcher-server'
import type { DiagnosticsFeed } from './diagnostics-feed'
import type { HostSupervisor } from './host-supervisor'
import type { UnresponsiveVerdict } from './liveness-monitor'

export interface HostLossPolicyOptions {
  server: Pick<LauncherServer, 'hostOf' | 'disconnectHost'>
  /** The launch's supervisor and feed, once `start()` made them; undefined before. */
  running: () => { supervisor: HostSupervisor; feed: DiagnosticsFeed } | undefined
  /** The liveness limit (ms) the verdicts come from, for the log line and the feed. */
  unresponsiveMs: number
  log: Logger
}

/**
 * A host whose spawn id matches the process the supervisor spawned for its slot is declared lost
 * to the supervisor (SIGKILL, replaced through the crash path); any other host only has its
 * connection closed (docs/protocol.md#liveness).
 */
export class HostLossPolicy {
  constructor(private readonly opts: HostLossPolicyOptions) {}

  /**
   * `slot`'s host went silent. A process we spawned is SIGKILLed and replaced; a host we did not
   * spawn only has its connection closed. Either way its connection goes now, so its unacked
   * commands fail at once.
   */
  onUnresponsive(verdict: UnresponsiveVerdict, slot: number): void {
    const { server, log } = this.opts
    const host = server.hostOf(slot)
    const running = this.opts.running()
    if (!host || !running) return
    const isOurs = this.isSpawnedHost(host)
    const pid = isOurs ? (running.supervisor.hostPidOf(slot) ?? host.pid) : host.pid
    const detail =
      verdict.why === 'silent'
        ? `no frame for ${verdict.forMs} ms with work outstanding`
        : `a command still unreported ${verdict.forMs} ms past its deadline`
    const action = isOurs ? 'killing it' : 'closing its connection (not spawned by this launcher)'
    const message = `host pid ${pid} unresponsive for ${this.opts.unresponsiveMs} ms; ${action}`
    log.warn(`[launcher] ${message} (${detail})`)
    running.feed.markUnresponsive(message)
    // Declared lost before its connection is closed, so that close is not taken for a second loss.
    if (isOurs) running.supervisor.loseHost('unresponsive', detail, slot)
    // A promoted standby may own the pipe by now: only the unresponsive host's connection goes.
    if (server.hostOf(slot)?.clientId === host.clientId) server.disconnectHost('unresponsive', slot)
  }

  /**
   * A host's connection is gone (EOF, error, IPC channel closed): a serving host we spawned is lost
   * whatever its process does, so it is killed and replaced (docs/protocol.md#retry-on-host-loss).
   * The supervisor ignores this while it stops the host itself, and after a kill it already knows of.
   */
  onConnectionGone(host: RegisteredHost & { reason: string }): void {
    if (this.isSpawnedHost(host))
      this.opts.running()!.supervisor.loseHost('channel-gone', host.reason, host.slot)
  }

  /** Whether the registered host is the process the supervisor spawned for its slot (spawn ids match). */
  private isSpawnedHost(host: RegisteredHost): boolean {
    const spawnId = this.opts.running()?.supervisor.spawnIdOf(host.slot)
    return spawnId !== undefined && host.spawnId === spawnId
  }
}
