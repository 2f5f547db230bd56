import { toDisposable } from '../src/main/base/disposable'
import { randomBytes } from 'node:crypto'
import type { Command } from '../src/shared/protocol'
import { HostPipe } from '../src/main/host-pipe'
import { LauncherServer, type LauncherServerPipe } from '../src/main/ipc/launcher-server'
import { SocketServer } from '../src/main/ipc/socket-server'
import { DiagnosticsFeed } from '../src/main/launcher/diagnostics-feed'
import type { HostProcess } from '../src/main/launcher/host-spawner'
import { LauncherEvents } from '../src/main/launcher/launcher-events'
import { spawnBenchHost, whenExited } from './bench-host'
import { withTimeout } from './with-timeout'
import type { CommandTarget } from './workload'

/** How long a host may take to start and register. */
const REGISTER_TIMEOUT_MS = 15_000

/**
 * The HostPipe side of the comparison, composed as `createLauncher` composes it: HostPipe on the
 * launcher's event bus, the LauncherServer protocol layer (register-first, validation of every
 * inbound frame, ack routing) on a real SocketServer, and the DiagnosticsFeed listening to
 * HostPipe's `'change'` — around one real host process (out/main/host.js).
 *
 * Not included: the supervisor (nothing crashes here) and the saga coordinator (a backlog in front
 * of HostPipe; the bench drives HostPipe itself). Acks are observed by wrapping the HostPipe port
 * the protocol layer calls, so measuring adds no `'change'` listener.
 */
export class LauncherRig implements CommandTarget {
  readonly name = 'HostPipe'
  onAck: (() => void) | undefined
  readonly pipe: HostPipe
  private readonly events = new LauncherEvents()
  private readonly server: LauncherServer
  private readonly token = randomBytes(32).toString('base64url')
  private socketServer: SocketServer | undefined
  private feed: DiagnosticsFeed | undefined
  private host: HostProcess | undefined
  private ackedCount = 0
  private failed: Error | undefined
  private onRegistered: () => void = () => undefined
  private readonly onSendFailed = (err: unknown): void => {
    this.failed ??= err instanceof Error ? err : new Error(String(err))
  }

  private constructor() {
    const pipe = new HostPipe({ emit: this.events.emit, nextVersion: this.events.nextVersion })
    const pipeForServer: LauncherServerPipe = {
      setWriter: (w, o) => pipe.setWriter(w, o),
      clearWriter: () => {
        pipe.clearWriter()
        this.onSendFailed(new Error('the host went away'))
      },
      ack: (seq) => {
        pipe.ack(seq)
        // Seqs start at 1 and every command here is acked, in order, on one session (the window
        // keeps HostPipe from buffering or dropping): the highest seq acked is the count. A
        // snapshot per ack would charge HostPipe for the bench's own bookkeeping; `dispose`
        // checks the count against HostPipe's counter.
        if (seq > this.ackedCount) this.ackedCount = seq
        this.onAck?.()
      },
      sendEventForSession: (id, e) => pipe.sendEventForSession(id, e),
      snapshot: () => pipe.snapshot(),
    }
    this.pipe = pipe
    this.server = new LauncherServer({
      hostPipe: pipeForServer,
      hostToken: this.token,
      apiToken: randomBytes(32).toString('base64url'),
      nextVersion: this.events.nextVersion,
      launcherVersion: 'bench',
    })
    this.server.onDidRegisterHost(() => this.onRegistered())
    this.events.onDidEmit((e) => this.server.broadcast(e))
  }

  /** Listens, starts the host and resolves once it has registered. */
  static async start(): Promise<LauncherRig> {
    const rig = new LauncherRig()
    const registered = new Promise<void>((resolve) => (rig.onRegistered = resolve))
    const socketServer = await SocketServer.listen({ onConnection: (conn) => rig.server.attach(conn) })
    const host = spawnBenchHost(socketServer.path, rig.token)
    rig.socketServer = socketServer
    rig.host = host
    rig.feed = new DiagnosticsFeed({
      pipe: rig.pipe,
      supervisor: {
        state: 'running',
        hostPid: host.pid ?? null,
        restarts: 0,
        failovers: 0,
        readyStandbys: 0,
        standbyPids: [],
        onDidChange: () => toDisposable(() => {}),
      },
      sagas: {
        totals: () => ({ started: 0, completed: 0, failed: 0, inFlight: 0, lateReports: 0 }),
        onDidStartSaga: () => toDisposable(() => {}),
        onDidEndSaga: () => toDisposable(() => {}),
      },
      events: rig.events,
      transport: 'pipe',
      socketPath: socketServer.path,
    })
    try {
      await withTimeout(registered, REGISTER_TIMEOUT_MS, 'the host did not register')
    } catch (err) {
      await rig.dispose()
      throw err
    }
    return rig
  }

  get acked(): number {
    return this.ackedCount
  }

  get hostPid(): number | undefined {
    return this.host?.pid
  }

  get failure(): Error | undefined {
    return this.failed
  }

  send(cmd: Command): void {
    this.pipe.sendCommand(cmd).catch(this.onSendFailed)
  }

  async dispose(): Promise<void> {
    const counted = this.pipe.snapshot().counters.acked
    if (counted !== this.ackedCount)
      throw new Error(`HostPipe counted ${counted} acked commands, the bench ${this.ackedCount}`)
    this.failed ??= new Error('disposed')
    // The host goes first (a host exits when its connection closes), then the socket.
    const exited = this.host ? whenExited(this.host) : undefined
    this.server.dispose()
    await exited
    await this.socketServer?.close()
    this.pipe.dispose()
    this.feed?.dispose()
  }
}
