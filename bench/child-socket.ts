import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { createPipeLocation } from '../src/main/ipc/pipe-path'
import type { HostProcess } from '../src/main/launcher/host-spawner'
import { spawnBenchHost, whenExited } from './bench-host'
import { withTimeout } from './with-timeout'

/** How long a child may take to start and connect. */
const CONNECT_TIMEOUT_MS = 15_000

/** A child process and the one connection it made to a private Unix socket. */
export interface ChildOnSocket {
  readonly socket: Socket
  readonly child: HostProcess
  /** Ends the connection (the child exits when it closes), waits for the exit, removes the socket. */
  dispose(): Promise<void>
}

/**
 * Listens on a fresh private Unix socket (the launcher's own `createPipeLocation`), starts `script`
 * as hosts are started (NodeHostSpawner, env HOSTPIPE_PIPE and HOSTPIPE_TOKEN) and resolves with its
 * first connection. Rejects after 15 s without one.
 */
export async function startChildOnSocket(script?: string): Promise<ChildOnSocket> {
  const location = await createPipeLocation()
  const server = createServer()
  const connected = new Promise<Socket>((resolve) => server.once('connection', resolve))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(location.path, resolve)
  })
  const child = spawnBenchHost(location.path, randomBytes(32).toString('base64url'), script)
  const dispose = async (socket?: Socket): Promise<void> => {
    const exited = whenExited(child)
    if (socket) socket.end()
    else child.kill('SIGKILL')
    await exited
    socket?.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    if (location.dir) await rm(location.dir, { recursive: true, force: true })
  }
  let socket: Socket
  try {
    socket = await withTimeout(connected, CONNECT_TIMEOUT_MS, `${script ?? 'the host'} did not connect`)
  } catch (err) {
    await dispose()
    throw err
  }
  return { socket, child, dispose: () => dispose(socket) }
}
