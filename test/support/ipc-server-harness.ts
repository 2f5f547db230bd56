import { HostPipe } from '../../src/main/host-pipe'
import {
  LauncherServer,
  type LauncherServerOptions,
  type RegisteredHost,
} from '../../src/main/ipc/launcher-server'
import type { Event, SagaReport } from '../../src/shared/protocol'
import { FakeConnection } from './ipc-fake-connection'
import { ManualClock } from './manual-clock'

/** The host token: what `kind:"host"` registers with. */
export const TOKEN = 'launch-secret'
/** The API token: what `kind:"tool"` registers with. */
export const API_TOKEN = 'api-secret'

/**
 * A LauncherServer over a real HostPipe on a manual clock, one version counter for both (as in the
 * launcher), and every callback recorded. Connections are FakeConnections the test drives.
 */
export function makeServer(opts: Partial<LauncherServerOptions> = {}) {
  const clock = new ManualClock()
  let version = 0
  const nextVersion = (): number => ++version
  const emitted: Event[] = []
  const pipe = new HostPipe({ emit: (e) => emitted.push(e), nextVersion, clock })
  const hostsRegistered: RegisteredHost[] = []
  const hostsGone: Array<RegisteredHost & { reason: string }> = []
  const reports: SagaReport[] = []
  const hostFrames: number[] = []
  const server = new LauncherServer({
    hostPipe: pipe,
    hostToken: TOKEN,
    apiToken: API_TOKEN,
    nextVersion,
    launcherVersion: '9.9.9',
    launcherPid: 4242,
    clock,
    ...opts,
  })
  server.onDidRegisterHost((h) => hostsRegistered.push(h))
  server.onDidLoseHost((h) => hostsGone.push(h))
  server.onDidReceiveReport((r) => reports.push(r))
  server.onDidReceiveHostFrame(() => hostFrames.push(hostFrames.length + 1))

  function connect(): FakeConnection {
    const conn = new FakeConnection()
    server.attach(conn)
    return conn
  }

  function register(
    conn: FakeConnection,
    fields: {
      kind?: 'host' | 'tool'
      pid?: number
      token?: string
      features?: string[]
      spawn_id?: string
    } = {},
  ): void {
    conn.receive({
      cmd: 'register',
      kind: fields.kind ?? 'host',
      pid: fields.pid ?? 1000,
      version: '1.0.0',
      token: fields.token ?? ((fields.kind ?? 'host') === 'host' ? TOKEN : API_TOKEN),
      features: fields.features ?? ['ack'],
      ...(fields.spawn_id === undefined ? {} : { spawn_id: fields.spawn_id }),
    })
  }

  function connectHost(
    fields: { pid?: number; features?: string[]; spawn_id?: string } = {},
  ): FakeConnection {
    const conn = connect()
    register(conn, { kind: 'host', ...fields })
    return conn
  }

  function connectTool(): FakeConnection {
    const conn = connect()
    register(conn, { kind: 'tool' })
    return conn
  }

  return {
    server,
    pipe,
    clock,
    emitted,
    hostsRegistered,
    hostsGone,
    reports,
    hostFrames,
    connect,
    register,
    connectHost,
    connectTool,
  }
}

/** The command frames (`kind:"command"`) a connection received. */
export function commandsOf(conn: FakeConnection): Array<Record<string, unknown>> {
  return conn.frames().filter((f) => f.kind === 'command')
}
