import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { encodeCommandFrame, encodeEvent, type Command } from '../src/shared/protocol'
import { createPipeLocation } from '../src/main/ipc/pipe-path'
import { SOCKET_FLUSH_BYTES, SOCKET_SEND_HIGH_WATER } from '../src/main/ipc/socket-connection'
import type { HostProcess } from '../src/main/launcher/host-spawner'
import { spawnBenchHost, whenExited } from './bench-host'
import { withTimeout } from './with-timeout'
import type { CommandTarget } from './workload'

/**
 * The baseline: what a hand-written NDJSON client does, and nothing more. A bare `net.Server` on a
 * Unix socket, the same host process, the same command frames encoded the same way
 * (`JSON.stringify` plus the envelope prefix), and the same write policy as SocketConnection, so
 * the baseline is not handicapped by a syscall per frame: the lines of one tick go out as one
 * `socket.write`, or at once when SOCKET_FLUSH_BYTES are queued, and wait while the socket holds
 * SOCKET_SEND_HIGH_WATER bytes. Every line back is `JSON.parse`d and cumulative acks are counted.
 * No buffer, no acks bookkeeping, no validation, no snapshots, no promises.
 */
export class RawRig implements CommandTarget {
  readonly name = 'raw NDJSON'
  onAck: (() => void) | undefined
  private lines: string[] = []
  private linesBytes = 0
  private seq = 0
  private ackedSeq = 0
  private partial = ''
  private isFlushScheduled = false
  private failed: Error | undefined

  private constructor(
    private readonly server: Server,
    private readonly dir: string | undefined,
    private readonly socket: Socket,
    private readonly host: HostProcess,
  ) {
    socket.on('data', (chunk: string) => this.onData(chunk))
    socket.on('drain', this.flush)
    socket.on('close', () => (this.failed ??= new Error('the host went away')))
    socket.on('error', (err) => (this.failed ??= err))
  }

  static async start(): Promise<RawRig> {
    const token = randomBytes(32).toString('base64url')
    const location = await createPipeLocation()
    const server = createServer()
    const connected = new Promise<Socket>((resolve) => server.once('connection', resolve))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(location.path, resolve)
    })
    const host = spawnBenchHost(location.path, token)
    const socket = await withTimeout(connected, 15_000, 'the host did not connect')
    socket.setEncoding('utf8')
    // The host's first line is its `register`; answer it as the launcher would, then take over.
    const register = await withTimeout(
      new Promise<string>((resolve) => {
        let text = ''
        const onData = (chunk: string): void => {
          text += chunk
          const nl = text.indexOf('\n')
          if (nl === -1) return
          socket.off('data', onData)
          socket.pause()
          resolve(text.slice(0, nl))
        }
        socket.on('data', onData)
      }),
      15_000,
      'the host did not register',
    )
    if ((JSON.parse(register) as { cmd?: unknown }).cmd !== 'register')
      throw new Error(`expected register, got ${register}`)
    socket.write(
      encodeEvent({
        event: 'registered',
        client_id: 1,
        launcher_pid: process.pid,
        launcher_version: 'bench',
        version: 1,
      }) + '\n',
    )
    const rig = new RawRig(server, location.dir, socket, host)
    socket.resume()
    return rig
  }

  get acked(): number {
    return this.ackedSeq
  }

  get hostPid(): number | undefined {
    return this.host.pid
  }

  get failure(): Error | undefined {
    return this.failed
  }

  send(cmd: Command): void {
    const line = encodeCommandFrame(++this.seq, JSON.stringify(cmd))
    this.lines.push(line)
    this.linesBytes += line.length + 1
    if (this.linesBytes >= SOCKET_FLUSH_BYTES) return this.flush()
    if (this.isFlushScheduled) return
    this.isFlushScheduled = true
    process.nextTick(this.flush)
  }

  async dispose(): Promise<void> {
    this.failed ??= new Error('disposed')
    const exited = whenExited(this.host)
    // A host exits when its connection closes.
    this.socket.end()
    await exited
    this.socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    if (this.dir) await rm(this.dir, { recursive: true, force: true })
  }

  private readonly flush = (): void => {
    this.isFlushScheduled = false
    if (this.lines.length === 0 || this.socket.writableLength >= SOCKET_SEND_HIGH_WATER) return
    const data = this.lines.join('\n') + '\n'
    this.lines = []
    this.linesBytes = 0
    this.socket.write(data)
  }

  private onData(chunk: string): void {
    const text = this.partial + chunk
    let start = 0
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const msg = JSON.parse(text.slice(start, nl)) as { cmd?: unknown; seq?: unknown }
      start = nl + 1
      if (msg.cmd === 'ack' && typeof msg.seq === 'number') {
        this.ackedSeq = msg.seq
        this.onAck?.()
      }
    }
    this.partial = text.slice(start)
  }
}
