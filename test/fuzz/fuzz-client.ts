import { connect, type Socket } from 'node:net'

export type Frame = Record<string, unknown>

/** How long any single wait of the fuzzer may take before the case counts as hung. */
export const FUZZ_WAIT_MS = 5_000

/**
 * A raw client on the launcher's real socket that writes whatever bytes it is given (in chunks,
 * one event-loop turn apart, so the launcher really sees them split) and hands back what the
 * launcher answers, frame by frame, without polling.
 */
export class FuzzClient {
  private readonly received: Frame[] = []
  private readonly waiters = new Set<() => void>()
  private buffered = ''
  private hasClosed = false
  private hasEnded = false

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      this.buffered += chunk
      let nl: number
      while ((nl = this.buffered.indexOf('\n')) !== -1) {
        this.received.push(JSON.parse(this.buffered.slice(0, nl)) as Frame)
        this.buffered = this.buffered.slice(nl + 1)
      }
      this.wake()
    })
    // The launcher closing its side (FIN). Our own close may lag behind it: a client still
    // writing into a connection the launcher stopped reading only closes when the launcher
    // destroys the socket after its grace period.
    socket.on('end', () => {
      this.hasEnded = true
      this.wake()
    })
    socket.on('close', () => {
      this.hasClosed = true
      this.wake()
    })
    // Writing into a connection the launcher has just closed (EPIPE, ECONNRESET) is expected here.
    socket.on('error', () => undefined)
  }

  static connect(path: string): Promise<FuzzClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path)
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(new FuzzClient(socket))
      })
    })
  }

  /** Frames received and not yet taken. */
  get unread(): number {
    return this.received.length
  }

  async writeChunks(chunks: readonly Uint8Array[]): Promise<void> {
    for (const [i, chunk] of chunks.entries()) {
      if (this.hasClosed) return
      if (i > 0) await new Promise((r) => setImmediate(r))
      this.socket.write(chunk)
    }
  }

  writeLine(frame: Frame): void {
    this.socket.write(JSON.stringify(frame) + '\n')
  }

  /** Half-closes our side: the launcher sees EOF. */
  end(): void {
    this.socket.end()
  }

  destroy(): void {
    this.socket.destroy()
  }

  /** The next frame, or undefined once the launcher has closed the connection with nothing left to read. */
  async next(what: string): Promise<Frame | undefined> {
    await this.until(() => this.received.length > 0 || this.isEnded, what)
    return this.received.shift()
  }

  /** The launcher has closed the connection (its end, or the whole socket). */
  get isEnded(): boolean {
    return this.hasEnded || this.hasClosed
  }

  /** Resolves once the launcher has closed the connection. */
  waitForClose(what: string): Promise<void> {
    return this.until(() => this.isEnded, what)
  }

  private until(condition: () => boolean, what: string): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        reject(new Error(`timed out after ${FUZZ_WAIT_MS} ms waiting for ${what}`))
      }, FUZZ_WAIT_MS)
      const check = (): void => {
        if (!condition()) return
        clearTimeout(timer)
        this.waiters.delete(check)
        resolve()
      }
      this.waiters.add(check)
    })
  }

  private wake(): void {
    for (const check of [...this.waiters]) check()
  }
}
