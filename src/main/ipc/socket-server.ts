import { chmod, lstat, rm, unlink } from 'node:fs/promises'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { silentLogger, type Logger } from '../base/logger'
import type { Disposable } from '../base/disposable'
import { removeDirOnExit } from './exit-cleanup'
import type { FrameConnection } from './frame-connection'
import { createPipeLocation } from './pipe-path'
import { SocketConnection } from './socket-connection'

/** How long a probe of an existing socket file may take before we assume someone answers. */
const STALE_PROBE_TIMEOUT_MS = 1000

export interface SocketServerOptions {
  /** Each accepted connection, already wrapped; the protocol layer takes it from here. */
  onConnection(conn: FrameConnection): void
  /**
   * Listen on this path instead of a fresh private directory. A stale socket file there is
   * removed, but only when it is a socket and nothing answers on it.
   */
  path?: string
  /** Where the private directory is made; default the OS temp dir. */
  parentDir?: string
  log?: Logger
}

/**
 * The `pipe` transport's listener: a Unix socket (mode 0600, in a 0700 directory of its own) or a
 * Windows named pipe. Hands every connection to `onConnection`; `close()` closes them all and
 * removes the socket and its directory. Until then the directory is also removed if the process
 * exits or gets SIGTERM/SIGINT first (exit-cleanup.ts).
 */
export class SocketServer {
  private readonly connections = new Set<SocketConnection>()
  private isClosed = false
  private nextConnectionId = 1

  private constructor(
    private readonly server: Server,
    /** What the host gets in HOSTPIPE_PIPE. */
    readonly path: string,
    /** The private directory (removed on close), or undefined. */
    readonly dir: string | undefined,
    /** Removes `dir` should the process end before `close()`. */
    private readonly exitCleanup: Disposable | undefined,
    private readonly log: Logger,
  ) {}

  static async listen(opts: SocketServerOptions): Promise<SocketServer> {
    const log = opts.log ?? silentLogger
    const isWindows = process.platform === 'win32'
    const location = opts.path
      ? { path: opts.path, dir: undefined }
      : await createPipeLocation({ parentDir: opts.parentDir, log })
    const exitCleanup = location.dir === undefined ? undefined : removeDirOnExit(location.dir)
    try {
      if (opts.path && !isWindows) await removeStaleSocket(opts.path)
      const server = createServer({ allowHalfOpen: false })
      const self = new SocketServer(server, location.path, location.dir, exitCleanup, log)
      server.on('connection', (socket) => self.accept(socket, opts.onConnection))
      server.on('error', (err) => log.error(`[ipc] socket server ${location.path}: ${err.message}`))
      await listenOn(server, location.path)
      // The directory is already 0700; the socket mode is the second lock on the door.
      if (!isWindows) await chmod(location.path, 0o600)
      log.info(`[ipc] listening on ${location.path}`)
      return self
    } catch (err) {
      if (location.dir) await rm(location.dir, { recursive: true, force: true })
      exitCleanup?.dispose()
      throw err
    }
  }

  /** Connections accepted and not yet closed. */
  get connectionCount(): number {
    return this.connections.size
  }

  /** Stops listening, closes every connection (flushing what they accepted), removes the socket. */
  async close(): Promise<void> {
    if (this.isClosed) return
    this.isClosed = true
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const conn of this.connections) conn.close()
    await closed
    if (this.dir)
      await rm(this.dir, { recursive: true, force: true }).finally(() => this.exitCleanup?.dispose())
    else if (process.platform !== 'win32') await unlink(this.path).catch(() => undefined)
  }

  private accept(socket: Socket, onConnection: (conn: FrameConnection) => void): void {
    if (this.isClosed) {
      socket.destroy()
      return
    }
    const conn = new SocketConnection(socket, {
      description: `unix socket #${this.nextConnectionId++}`,
      log: this.log,
    })
    this.connections.add(conn)
    socket.once('close', () => this.connections.delete(conn))
    try {
      onConnection(conn)
    } catch (err) {
      this.log.error(`[ipc] connection handler threw: ${String(err)}`)
      conn.close()
    }
  }
}

function listenOn(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/**
 * Removes a socket file left behind by a launcher that died, and nothing else: not a regular
 * file someone put there, not the socket of a launcher that is still running.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean
  try {
    isSocket = (await lstat(path)).isSocket()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (!isSocket) throw new Error(`${path} exists and is not a socket; refusing to remove it`)
  const probe = await probeSocket(path)
  if (probe === 'gone') return
  if (probe !== 'refused') throw new Error(`${path} may be in use (${probe}); refusing to remove it`)
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
  })
}

/** Connects to a socket file to learn whether anyone still listens on it. */
function probeSocket(path: string): Promise<'refused' | 'gone' | string> {
  return new Promise((resolve) => {
    const socket = connect(path)
    const done = (outcome: string): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => done('no answer within the probe timeout'), STALE_PROBE_TIMEOUT_MS)
    socket.once('connect', () => done('a process answers on it'))
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done('refused')
      else if (err.code === 'ENOENT') done('gone')
      else done(err.code ?? err.message)
    })
  })
}
