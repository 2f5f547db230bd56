import { connect, type Socket } from 'node:net'
import { IntColumn } from './int-column'

const TERMINAL = /^\{"event":"saga_(completed|failed)","saga_id":(\d+)/

/**
 * A `tool` client on the launcher's real socket that counts the terminal events it receives per
 * saga: what an external watcher of the pipe sees, to compare with the launcher's own bus. Reads
 * with a regex, not JSON.parse, to stay cheap at tens of thousands of events a second.
 */
export class TerminalCountingTool {
  readonly terminals = new IntColumn()
  isRegistered = false
  isClosed = false
  private buffered = ''

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => this.onData(chunk))
    socket.on('close', () => (this.isClosed = true))
    socket.on('error', () => undefined)
  }

  static connect(path: string, token: string): Promise<TerminalCountingTool> {
    return new Promise((resolve, reject) => {
      const socket = connect(path)
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        const tool = new TerminalCountingTool(socket)
        socket.write(
          JSON.stringify({ cmd: 'register', kind: 'tool', pid: process.pid, version: 'chaos', token }) + '\n',
        )
        resolve(tool)
      })
    })
  }

  close(): void {
    this.socket.destroy()
  }

  private onData(chunk: string): void {
    const text = this.buffered + chunk
    let start = 0
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl)
      start = nl + 1
      const m = TERMINAL.exec(line)
      if (m) this.terminals.add(Number(m[2]))
      else if (line.startsWith('{"event":"registered"')) this.isRegistered = true
    }
    this.buffered = text.slice(start)
  }
}
