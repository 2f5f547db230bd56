import { randomBytes } from 'node:crypto'
import { version as packageVersion } from '../../../package.json'
import { systemClock } from '../base/clock'
import { DisposableStore } from '../base/disposable'
import { HostPipe, QueuedBytes } from '../host-pipe'
import { positiveIntOption } from '../base/integer-option'
import { silentLogger } from '../base/logger'
import { LauncherServer } from '../ipc/launcher-server'
import { SocketServer } from '../ipc/socket-server'
import { createDiagnosticsActions, killHostInSlot, type KillHostOutcome } from './diagnostics-actions'
import { DiagnosticsFeed } from './diagnostics-feed'
import type { DiagnosticsSource } from './diagnostics-source'
import { FirstRegistration } from './first-registration'
import { HostExits } from './host-exits'
import { HostLossPolicy } from './host-loss-policy'
import { HostSupervisor, START_TIMEOUT_MS } from './host-supervisor'
import { inspectorFlagsOf } from './inspector-flags'
import { LauncherEvents } from './launcher-events'
import { LauncherStreams } from './launcher-streams'
import { DEFAULT_MAX_PAYLOAD_BYTES, FEATURE_ACK, FEATURE_DEADLINE, type Event } from '../../shared/protocol'
import { HostStartError } from '../../shared/host-start-error'
import type { HostSpawner } from './host-spawner'
import type { TransportKind } from '../../shared/diagnostics'
import type { Logger } from '../base/logger'
import { LivenessMonitor, UNRESPONSIVE_MS } from './liveness-monitor'
import { CallRouter, DEFAULT_MAX_QUEUED_BYTES } from './call-router'
import { SagaCoordinator, type SagaRequest, type StartSagaOptions } from './saga-coordinator'
import { HostLossReasons } from './saga-failure-reasons'
import type { HostSpawnSettings } from './spawn-options'

/** What calls still open when the launcher stops are told, after the words for what became of them. */
const REASON_LAUNCHER_STOPPED = 'launcher stopped'

/** `--standby` default: one warm standby host. */
export const DEFAULT_STANDBY = 1
/** Calls that may wait in the launcher at once (`maxQueued` default); beyond it, QUEUE_FULL. */
export const MAX_QUEUED = 10_000

/** What `start()` rejects with when `dispose()` came before its first host registered. */
export const REASON_DISPOSED_BEFORE_REGISTER = 'launcher disposed before a host registered'

/** How a launcher (headless or Electron) is put together. Every option but the spawner has a default. */
export interface LauncherOptions {
  /** Starts host processes: `child_process.spawn` headless, `utilityProcess.fork` in Electron. */
  spawner: HostSpawner
  /** Default 'pipe'. */
  transport?: TransportKind
  /** Extra argv for each host, e.g. ['--host-delay-ms', '5']. */
  hostArgs?: string[]
  /** Per-saga timeout; default 5000 (as AgentMux). */
  sagaTimeoutMs?: number
  /** Crashes within 60 s (or start failures in a row) before giving up; default 5. */
  maxRestarts?: number
  /**
   * `start()` rejects with a HostStartError (`START_TIMEOUT`) when no host registered this many ms
   * after it began; each spawned host that has not registered by then is killed and counts as a
   * start failure. Default START_TIMEOUT_MS (15 000); 0 waits forever.
   */
  startTimeoutMs?: number
  /**
   * `--hosts N`: active hosts in pool slots 0…N−1, each supervised on its own; app calls go to
   * the least loaded, keyed ones by key (docs/parallel-work.md#a-pool-of-hosts). Default 1.
   */
  hosts?: number
  /**
   * `--standby N`: warm standby hosts kept registered and idle, promoted at once when the active
   * host is lost. Default DEFAULT_STANDBY (1); 0 turns standby off.
   */
  standby?: number
  /**
   * `--unresponsive-ms`: a host with work outstanding that sends no frame for this long (or holds
   * a command this long past its deadline) is killed and replaced. Default 5000
   * (UNRESPONSIVE_MS); 0 turns liveness off.
   */
  unresponsiveMs?: number
  /**
   * Commands that may wait in the launcher while the host's in-flight window is full; beyond it
   * a call fails at once with QUEUE_FULL. Default MAX_QUEUED (10,000).
   */
  maxQueued?: number
  /** The outage buffer: commands kept while no host is connected (drop-oldest). Default 64. */
  bufferCapacity?: number
  /** App calls one host runs at once; more wait in the launcher. Default DEFAULT_CONCURRENCY (64). */
  concurrency?: number
  /**
   * Bytes (`Uint8Array` contents) of app calls that may wait in the launcher, in the router and
   * the pipes' buffers together; beyond it a call fails at once with QUEUE_FULL. Default
   * DEFAULT_MAX_QUEUED_BYTES (256 MiB).
   */
  maxQueuedBytes?: number
  /** Bytes one input or output may take once encoded (docs/protocol.md#payload-size). Default 64 MiB. */
  maxPayloadBytes?: number
  /** Chunks a stream may have yielded and its caller not yet taken (docs/protocol.md#streams). Default 16. */
  streamWindow?: number
  /**
   * Node flags, variables and working directory for every host. With an inspector flag in
   * `execArgv` (docs/launcher.md#debugging-a-host) no start, register or liveness timeout and no
   * start-failure count apply: a host may sit paused in a debugger.
   */
  hostSpawn?: HostSpawnSettings
  /** Reported as `launcher_version`; default the package version. */
  version?: string
  log?: Logger
}

/** A running launcher: HostPipe + IPC server + supervisor + saga coordinator + diagnostics feed. */
export interface Launcher {
  /**
   * Starts the IPC server and the first host; resolves once that host has registered. Rejects with
   * a HostStartError when the supervisor gives up on starting one or after `startTimeoutMs`.
   */
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
  /**
   * Starts one saga of a built-in command and returns its id; its outcome comes as
   * `saga_completed`/`saga_failed` on `subscribeEvents`. `options.retry` asks for retry on host
   * loss (docs/protocol.md#retry-on-host-loss); default: the `retry` of its definition in `agentMuxCommands`. Throws before
   * `start()`, and a RangeError for a command that needs a label and has none.
   */
  startSaga(request: SagaRequest, options?: StartSagaOptions): number
  /** Starts and cancels sagas (the embedding API's `call`, docs/embedding.md). */
  readonly sagas: Pick<SagaCoordinator, 'startSaga' | 'cancelSaga'>
  /** Progress values, chunks and app events from the active host; stream credit to it. */
  readonly streams: LauncherStreams
  /** Stops the host (no orphans), closes the server, removes the socket. Idempotent. */
  dispose(): Promise<void>
}

/** The parts that exist only once the launcher has started (the socket path is known then). */
interface Running {
  socketServer: SocketServer | undefined
  supervisor: HostSupervisor
  /** How each spawned host ended, for the reasons of calls lost with it. */
  exits: HostExits
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
  /** Each pool slot's pipe, slot 0 first. */
  private readonly pipes: readonly HostPipe[]
  /** Where and when each app call goes (concurrency, keys, slots); the coordinator's pipe. */
  private readonly router: CallRouter
  private readonly coordinator: SagaCoordinator
  private readonly server: LauncherServer
  readonly streams: LauncherStreams
  /** Subscriptions between the parts; disposed last, once every part has stopped. */
  private readonly disposables = new DisposableStore()
  /** Each pool slot's liveness, slot 0 first. */
  private readonly livenesses: readonly LivenessMonitor[]
  /** What a silent host or a closed connection costs: only a host we spawned is signalled. */
  private readonly hostLoss: HostLossPolicy
  /** Why a lost host went (its exit, the launcher's stop), for the reasons of the calls lost with it. */
  private readonly lossReasons = new HostLossReasons()
  /** The inspector flag the hosts run with (docs/launcher.md#debugging-a-host), if any. */
  private readonly inspectFlag: string | undefined
  private running: Running | undefined
  /** The socket a `start()` is still opening: `dispose()` waits for it and closes it. */
  private listening: Promise<SocketServer | undefined> | undefined
  private disposing: Promise<void> | undefined
  /** `start()`'s wait for every slot's first host. */
  private firstRegistration: FirstRegistration | undefined
  /**
   * When the host frame being handled arrived: one clock read serves its liveness and its call's
   * end. `systemClock`, the clock of the liveness monitors and the coordinator too (none is injected).
   */
  private hostFrameAt = 0

  constructor(private readonly opts: LauncherOptions) {
    this.log = opts.log ?? silentLogger
    this.events = new LauncherEvents()
    // No `emit`: the coordinator decides and publishes every saga's outcome, the pipe's losses included.
    const queuedBytes = new QueuedBytes(
      positiveIntOption('maxQueuedBytes', opts.maxQueuedBytes, DEFAULT_MAX_QUEUED_BYTES),
    )
    const hosts = opts.hosts ?? 1
    if (!Number.isSafeInteger(hosts) || hosts < 1)
      throw new TypeError(`hosts must be a positive integer, got ${String(opts.hosts)}`)
    this.pipes = Array.from(
      { length: hosts },
      () =>
        new HostPipe({
          capacity: opts.bufferCapacity,
          maxQueued: opts.maxQueued ?? MAX_QUEUED,
          maxPayloadBytes: opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
          queuedBytes,
          log: this.log,
        }),
    )
    this.router = new CallRouter({
      slots: this.pipes.map((pipe, slot) => ({ pipe, isBusy: () => this.livenesses[slot]!.isBusy })),
      concurrency: opts.concurrency,
      maxQueued: opts.maxQueued ?? MAX_QUEUED,
      queuedBytes,
    })
    this.coordinator = new SagaCoordinator({
      pipe: this.router,
      events: this.events,
      sagaTimeoutMs: opts.sagaTimeoutMs,
      hostHonoursDeadlines: () => this.hostHas(FEATURE_DEADLINE),
      hostLoss: this.lossReasons,
      log: this.log,
    })
    this.inspectFlag = inspectorFlagsOf(opts.hostSpawn?.execArgv ?? []).flag
    const unresponsiveMs = this.inspectFlag ? 0 : (opts.unresponsiveMs ?? UNRESPONSIVE_MS)
    this.livenesses = this.pipes.map((pipe, slot) => {
      const liveness = new LivenessMonitor({
        unresponsiveMs,
        pipe,
        // A host without acks (an AgentMux host, slot 0) has work outstanding while a saga whose
        // command it was sent is open.
        hasUnackedWork: (s) =>
          slot === 0 && !this.hostHas(FEATURE_ACK) && this.coordinator.issuedCount > s.pending,
        oldestOverdueDeadline: () =>
          this.coordinator.oldestOverdueDeadline((sagaId) => this.router.slotOf(sagaId) === slot),
        onUnresponsive: (verdict) => this.hostLoss.onUnresponsive(verdict, slot),
        log: this.log,
      })
      this.disposables.add(liveness.onDidChangeBusy(() => this.router.noteSlotChange()))
      return liveness
    })
    this.server = new LauncherServer({
      hostPipe: this.pipes,
      hostToken: this.hostToken,
      apiToken: this.apiToken,
      nextVersion: () => this.events.nextVersion(),
      launcherVersion: opts.version ?? packageVersion,
      unresponsiveMs,
      maxPayloadBytes: opts.maxPayloadBytes,
      streamWindow: opts.streamWindow,
      log: this.log,
    })
    this.hostLoss = new HostLossPolicy({
      server: this.server,
      running: () => this.running,
      unresponsiveMs,
      log: this.log,
    })
    this.streams = new LauncherStreams({ sendControl: (cmd) => this.router.sendControl(cmd), log: this.log })
    // Only the active host's frames come here; without a pool it is slot 0's.
    this.disposables.add(this.server.onDidReceiveStreamFrame((f) => this.streams.handleFrame(f, f.slot)))
    this.disposables.add(this.server.onDidDropEvent(() => this.streams.noteEventDropped()))
    // The supervisor decides what a registration becomes; before start() every host is active.
    this.disposables.add(
      this.server.onDidAnnounceHost((r) => this.running?.supervisor.admit(this.running.exits.watch(r))),
    )
    this.disposables.add(
      this.server.onDidRegisterHost((host) => this.firstRegistration?.noteRegistered(host.slot)),
    )
    // The server tells of every host frame before it hands on what the frame says.
    this.disposables.add(
      this.server.onDidReceiveHostFrame((slot) =>
        this.livenesses[slot]!.noteHostFrame((this.hostFrameAt = systemClock.now())),
      ),
    )
    this.disposables.add(
      this.server.onDidReceiveReport((report) => this.coordinator.handleReport(report, this.hostFrameAt)),
    )
    this.disposables.add(
      this.server.onDidReceiveMainThreadReport((r) =>
        this.livenesses[r.slot]!.noteMainThreadReport(r.blockedMs),
      ),
    )
    this.disposables.add(this.server.onDidHostSayExit((code) => this.lossReasons.noteHostExit(code)))
    this.disposables.add(this.server.onDidLoseHost((host) => this.hostLoss.onConnectionGone(host)))
    this.disposables.add(this.events.onDidEmitToLauncher((e) => this.server.broadcast(e)))
    this.events.forwardWhen(() => this.server.forwardsEvents)
  }

  get token(): string {
    return this.apiToken
  }

  get sagas(): Pick<SagaCoordinator, 'startSaga' | 'cancelSaga'> {
    return this.coordinator
  }

  get diagnostics(): DiagnosticsSource {
    if (!this.running) throw new Error('launcher not started: call start() first')
    return this.running.feed
  }

  async start(): Promise<void> {
    if (this.disposing) throw new Error(REASON_DISPOSED_BEFORE_REGISTER)
    if (this.listening || this.running) throw new Error('launcher already started')
    const transport = this.opts.transport ?? 'pipe'
    this.listening =
      transport === 'pipe'
        ? SocketServer.listen({ onConnection: (conn) => this.server.attach(conn), log: this.log })
        : Promise.resolve(undefined)
    const socketServer = await this.listening
    // Disposed while the socket was being opened: nothing else may be set up, no host spawned.
    if (this.disposing) {
      await socketServer?.close()
      throw new Error(REASON_DISPOSED_BEFORE_REGISTER)
    }
    const socketPath = socketServer?.path ?? null
    const spawnOptions = {
      transport,
      token: this.hostToken,
      socketPath,
      args: [...(this.opts.hostArgs ?? [])],
      ...this.opts.hostSpawn,
    }
    let startTimeoutMs = this.opts.startTimeoutMs ?? START_TIMEOUT_MS
    if (!Number.isSafeInteger(startTimeoutMs) || startTimeoutMs < 0)
      throw new RangeError(`startTimeoutMs must be a non-negative integer, got ${String(startTimeoutMs)}`)
    if (this.inspectFlag) {
      startTimeoutMs = 0
      this.log.info(
        `[launcher] hosts run with ${this.inspectFlag}: no start, register or liveness timeout and no start-failure count apply, so a host may sit paused in a debugger`,
      )
    }
    const firstRegistration = new FirstRegistration(this.pipes.length)
    this.firstRegistration = firstRegistration
    const supervisor: HostSupervisor = new HostSupervisor({
      spawn: (spawnId, role, slot) => {
        try {
          return exits.track(spawnId, this.opts.spawner.spawn({ ...spawnOptions, spawnId, role, slot }))
        } catch (error) {
          // A spawner's HostStartError is a setting found wrong before any process started (a
          // missing entry, a cwd that is no directory): no retry can mend it, so start() says so now.
          if (error instanceof HostStartError) firstRegistration.fail(Promise.resolve(error))
          throw error
        }
      },
      slots: this.pipes.length,
      standby: this.opts.standby ?? DEFAULT_STANDBY,
      maxRestarts: this.opts.maxRestarts,
      startTimeoutMs: this.inspectFlag ? 0 : startTimeoutMs === 0 ? undefined : startTimeoutMs,
      backoffOptions: this.inspectFlag ? { countsStartFailures: false } : undefined,
      closeHostConnection: (reason, slot) => this.server.disconnectHost(reason, slot),
      log: this.log,
    })
    const exits: HostExits = new HostExits(supervisor.onDidChange, (how) =>
      this.lossReasons.noteHostExit(how),
    )
    // The port transport's channel comes with the process, not through a listener.
    this.disposables.add(
      supervisor.onDidSpawn((host) => {
        if (host.connection) this.server.attach(host.connection)
      }),
    )
    const feed = new DiagnosticsFeed({
      pipe: this.pipes[0]!,
      pipes: this.pipes,
      supervisor,
      sagas: this.coordinator,
      events: { onDidEmit: this.events.onDidEmitToLauncher },
      liveness: this.livenesses[0]!,
      livenesses: this.livenesses,
      streams: this.streams,
      transport,
      socketPath,
      act: createDiagnosticsActions({
        killHost: (slot) => this.killHost(slot),
        supervisor,
        coordinator: this.coordinator,
      }),
      log: this.log,
    })
    this.running = { socketServer, supervisor, exits, feed }
    await firstRegistration.startHosts(supervisor, startTimeoutMs)
  }

  /** Whether slot `slot`'s host (default slot 0's) announced `feature`. */
  private hostHas(feature: string, slot = 0): boolean {
    return this.server.hostOf(slot)?.features.includes(feature) ?? false
  }

  /**
   * `kill-host`'s way to a slot's host: SIGKILL, and that slot is refilled (a standby promoted,
   * or a spawn). `no-such-host` for a slot the pool does not have.
   */
  private killHost(slot: number): KillHostOutcome {
    return killHostInSlot(this.running?.supervisor, slot)
  }

  startSaga(request: SagaRequest, options?: StartSagaOptions): number {
    if (!this.running) throw new Error('launcher not started: call start() first')
    return this.coordinator.startSaga(request, options)
  }

  /** Subscribes to every launcher event (sagas, pipe failures, errors). */
  subscribeEvents(fn: (e: Event) => void): () => void {
    const subscription = this.events.onDidEmit(fn)
    return () => subscription.dispose()
  }

  dispose(): Promise<void> {
    this.disposing ??= this.shutdown()
    return this.disposing
  }

  private async shutdown(): Promise<void> {
    this.firstRegistration?.reject(new Error(REASON_DISPOSED_BEFORE_REGISTER))
    // A start() still opening its socket: that socket is closed before dispose() resolves.
    const opening = this.running ? undefined : await this.listening?.catch(() => undefined)
    const running = this.running
    // The host goes first (no orphans); then nothing is left to deliver, and sagas still open fail,
    // each saying the launcher stopped.
    this.lossReasons.beginStop(REASON_LAUNCHER_STOPPED)
    for (const liveness of this.livenesses) liveness.dispose()
    await running?.supervisor.dispose()
    this.opts.spawner.dispose?.()
    this.server.dispose()
    await running?.socketServer?.close()
    await opening?.close()
    // Nothing waiting may be sent while the coordinator fails what is still open.
    this.router.dispose()
    this.coordinator.dispose(REASON_LAUNCHER_STOPPED)
    for (const pipe of this.pipes) pipe.dispose()
    running?.feed.dispose()
    running?.exits.dispose()
    this.disposables.dispose()
    this.streams.dispose()
    this.events.dispose()
  }
}
