import { randomBytes } from 'node:crypto'
import { version as packageVersion } from '../../../package.json'
import { HostPipe, silentLogger } from '../host-pipe'
import { LauncherServer } from '../ipc/launcher-server'
import { SocketServer } from '../ipc/socket-server'
import { createDiagnosticsActions } from './diagnostics-actions'
import { DiagnosticsFeed } from './diagnostics-feed'
import type { DiagnosticsSource } from './diagnostics-source'
import { HostSupervisor } from './host-supervisor'
import { LauncherEvents } from './launcher-events'
import type { Launcher, LauncherOptions } from './launcher-options'
import { SagaCoordinator } from './saga-coordinator'

/** The parts that exist only once the launcher has started (the socket path is known then). */
interface Running {
  socketServer: SocketServer | undefined
  supervisor: HostSupervisor
  feed: DiagnosticsFeed
}

/**
 * Puts a launcher together: HostPipe, the protocol server and its transport, the host supervisor,
 * the saga coordinator and the diagnostics feed, all on one event bus with one version counter.
 * Shared by the headless entry and the Electron app; only the spawner differs.
 */
export function createLauncher(opts: LauncherOptions): Launcher {
  return new ComposedLauncher(opts)
}

class ComposedLauncher implements Launcher {
  readonly hostToken = randomBytes(32).toString('base64url')
  readonly apiToken = randomBytes(32).toString('base64url')
  private readonly log
  private readonly events
  private readonly pipe: HostPipe
  private readonly coordinator: SagaCoordinator
  private readonly server: LauncherServer
  private running: Running | undefined
  private disposing: Promise<void> | undefined
  private firstHost: { resolve(): void; reject(e: Error): void } | undefined

  constructor(private readonly opts: LauncherOptions) {
    this.log = opts.log ?? silentLogger
    this.events = new LauncherEvents(this.log)
    this.pipe = new HostPipe({
      emit: (e) => this.events.emit(e),
      nextVersion: () => this.events.nextVersion(),
      log: this.log,
    })
    this.coordinator = new SagaCoordinator({
      pipe: this.pipe,
      events: this.events,
      sagaTimeoutMs: opts.sagaTimeoutMs,
      log: this.log,
    })
    this.server = new LauncherServer({
      hostPipe: this.pipe,
      hostToken: this.hostToken,
      apiToken: this.apiToken,
      nextVersion: () => this.events.nextVersion(),
      launcherVersion: opts.version ?? packageVersion,
      log: this.log,
      onHostRegistered: () => {
        this.running?.supervisor.markRunning()
        this.firstHost?.resolve()
        this.firstHost = undefined
      },
      onReport: (report) => {
        this.coordinator.handleReport(report)
      },
    })
    this.events.subscribe((e) => this.server.broadcast(e))
  }

  get token(): string {
    return this.apiToken
  }

  get diagnostics(): DiagnosticsSource {
    if (!this.running) throw new Error('launcher not started: call start() first')
    return this.running.feed
  }

  async start(): Promise<void> {
    if (this.running) throw new Error('launcher already started')
    const transport = this.opts.transport ?? 'pipe'
    const socketServer =
      transport === 'pipe'
        ? await SocketServer.listen({ onConnection: (conn) => this.server.attach(conn), log: this.log })
        : undefined
    const socketPath = socketServer?.path ?? null
    const supervisor = new HostSupervisor({
      spawner: this.opts.spawner,
      transport,
      token: this.hostToken,
      socketPath,
      hostArgs: this.opts.hostArgs,
      maxRestarts: this.opts.maxRestarts,
      closeHostConnection: () => this.server.disconnectHost('stop-host'),
      // The port transport's channel comes with the process, not through a listener.
      onSpawn: (host) => {
        if (host.connection) this.server.attach(host.connection)
      },
      log: this.log,
    })
    const feed = new DiagnosticsFeed({
      pipe: this.pipe,
      supervisor,
      sagas: this.coordinator,
      events: this.events,
      transport,
      socketPath,
      act: createDiagnosticsActions({ supervisor, coordinator: this.coordinator }),
      log: this.log,
    })
    this.running = { socketServer, supervisor, feed }
    const registered = new Promise<void>((resolve, reject) => {
      this.firstHost = { resolve, reject }
    })
    const unsubscribe = supervisor.subscribe((e) => {
      if (e.type === 'gave-up') this.firstHost?.reject(new Error('host crashed on every start; gave up'))
    })
    supervisor.startHost()
    try {
      await registered
    } finally {
      unsubscribe()
    }
  }

  /** Subscribes to every launcher event (sagas, pipe failures, errors). */
  subscribeEvents(fn: Parameters<LauncherEvents['subscribe']>[0]): () => void {
    return this.events.subscribe(fn)
  }

  dispose(): Promise<void> {
    this.disposing ??= this.shutdown()
    return this.disposing
  }

  private async shutdown(): Promise<void> {
    this.firstHost?.reject(new Error('launcher disposed before a host registered'))
    this.firstHost = undefined
    const running = this.running
    // The host goes first (no orphans); then nothing is left to deliver, and sagas still open fail.
    await running?.supervisor.dispose()
    this.server.dispose()
    await running?.socketServer?.close()
    this.coordinator.dispose()
    this.pipe.dispose()
    running?.feed.dispose()
  }
}
