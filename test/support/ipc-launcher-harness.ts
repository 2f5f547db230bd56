import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { HostPipe, type Logger } from '../../src/main/host-pipe'
import {
  LauncherServer,
  type LauncherServerOptions,
  type RegisteredHost,
} from '../../src/main/ipc/launcher-server'
import { NodeHostSpawner } from '../../src/main/headless/node-host-spawner'
import { SocketServer } from '../../src/main/ipc/socket-server'
import type { HostProcess } from '../../src/main/launcher/host-spawner'
import type { TransportKind } from '../../src/shared/diagnostics'
import type { Event, SagaReport } from '../../src/shared/protocol'
import { waitFor } from './ipc-wait'

export const HOST_SCRIPT = resolve('out/main/host.js')
export const BUILD_HOST_COMMAND =
  'npx esbuild src/main/host.ts --bundle --platform=node --format=esm --packages=external --outfile=out/main/host.js'

/** Integration tests run the built host; say how to build it instead of failing obscurely. */
export function requireBuiltHost(): void {
  if (!existsSync(HOST_SCRIPT))
    throw new Error(
      `${HOST_SCRIPT} is missing: build the host first with \`npm run build\` or \`${BUILD_HOST_COMMAND}\``,
    )
}

import type { HostExitInfo } from '../../src/main/launcher/host-spawner'

export interface TestHost {
  process: HostProcess
  exit: HostExitInfo | undefined
}

/**
 * A launcher assembled from the real parts (HostPipe, LauncherServer, SocketServer, NodeHostSpawner)
 * around real host processes, with everything it reports recorded.
 */
export async function startTestLauncher(
  opts: { transport: TransportKind; server?: Partial<LauncherServerOptions> } = { transport: 'pipe' },
) {
  requireBuiltHost()
  /** The host token (HOSTPIPE_TOKEN). */
  const token = 'test-token-' + Math.random().toString(16).slice(2)
  /** The API token: what tools register with. */
  const apiToken = 'test-api-token-' + Math.random().toString(16).slice(2)
  const logLines: string[] = []
  const log: Logger = {
    debug: () => undefined,
    info: (...a) => logLines.push(a.join(' ')),
    warn: (...a) => logLines.push(a.join(' ')),
    error: (...a) => logLines.push(a.join(' ')),
  }
  let version = 0
  const nextVersion = (): number => ++version
  const emitted: Event[] = []
  const pipe = new HostPipe({ emit: (e) => emitted.push(e), nextVersion })
  const reports: SagaReport[] = []
  const registered: RegisteredHost[] = []
  const gone: Array<RegisteredHost & { reason: string }> = []
  const server = new LauncherServer({
    hostPipe: pipe,
    hostToken: token,
    apiToken,
    nextVersion,
    launcherVersion: 'test',
    log,
    ...opts.server,
  })
  server.onDidReceiveReport((r) => reports.push(r))
  server.onDidRegisterHost((h) => registered.push(h))
  server.onDidLoseHost((h) => gone.push(h))
  const socketServer =
    opts.transport === 'pipe'
      ? await SocketServer.listen({ onConnection: (c) => server.attach(c), log })
      : undefined
  const spawner = new NodeHostSpawner({ hostScript: HOST_SCRIPT, log })
  const hosts: TestHost[] = []

  function spawnHost(
    extra: { env?: Record<string, string>; args?: string[]; socketPath?: string } = {},
  ): TestHost {
    const child = spawner.spawn({
      transport: opts.transport,
      token,
      socketPath: extra.socketPath ?? socketServer?.path ?? null,
      env: extra.env,
      args: extra.args ?? [],
    })
    const host: TestHost = { process: child, exit: undefined }
    child.onExit((info) => (host.exit = info))
    if (child.connection) server.attach(child.connection)
    hosts.push(host)
    return host
  }

  async function waitForRegistration(host: TestHost): Promise<RegisteredHost> {
    await waitFor(
      () => registered.some((r) => r.pid === host.process.pid) || host.exit !== undefined,
      `host ${host.process.pid} to register`,
    )
    if (host.exit)
      throw new Error(
        `host exited before registering (${JSON.stringify(host.exit)}):\n${logLines.join('\n')}`,
      )
    return registered.find((r) => r.pid === host.process.pid)!
  }

  function waitForExit(host: TestHost): Promise<void> {
    return waitFor(() => host.exit !== undefined, `host ${host.process.pid} to exit`)
  }

  async function dispose(): Promise<void> {
    for (const h of hosts) h.process.kill('SIGKILL')
    await Promise.all(hosts.map((h) => waitForExit(h)))
    server.dispose()
    await socketServer?.close()
    pipe.dispose()
  }

  return {
    token,
    apiToken,
    pipe,
    server,
    socketServer,
    emitted,
    reports,
    registered,
    gone,
    logLines,
    spawnHost,
    waitForRegistration,
    waitForExit,
    dispose,
  }
}

export type TestLauncher = Awaited<ReturnType<typeof startTestLauncher>>
