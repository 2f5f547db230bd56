import { connect, type Socket } from 'node:net'
import { waitFor } from './ipc-wait'

/**
 * A hand-driven client on a real socket: writes whatever the test says (valid or not) and parses
 * what comes back, line by line.
 */
export class RawClient {
  readonly frames: Array<Record<string, unknown>> = []
  isEnded = false
  private buffered = ''

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      this.buffered += chunk
      let nl: number
      while ((nl = this.buffered.indexOf('\n')) !== -1) {
        this.frames.push(JSON.parse(this.buffered.slice(0, nl)) as Record<string, unknown>)
        this.buffered = this.buffered.slice(nl + 1)
      }
    })
    socket.on('close', () => (this.isEnded = true))
    socket.on('error', () => undefined)
  }

  static connect(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path)
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(new RawClient(socket))
      })
    })
  }

  /** Writes raw text (add the `\n` yourself when you want a whole line). */
  write(text: string | Uint8Array): void {
    this.socket.write(text)
  }

  sendLine(frame: Record<string, unknown>): void {
    this.socket.write(JSON.stringify(frame) + '\n')
  }

  register(token: string, kind: 'host' | 'tool' = 'tool'): void {
    this.sendLine({ cmd: 'register', kind, pid: process.pid, version: 'test', token, features: [] })
  }

  async waitForFrame(
    pred: (f: Record<string, unknown>) => boolean,
    what: string,
  ): Promise<Record<string, unknown>> {
    await waitFor(() => this.frames.some(pred), what)
    return this.frames.find(pred)!
  }

  waitForEnd(): Promise<void> {
    return waitFor(() => this.isEnded, 'the launcher to close the connection')
  }

  destroy(): void {
    this.socket.destroy()
  }
}
