import type { Socket } from 'node:net'
import { encodeMembers } from '../src/shared/fast-frames'
import {
  encodeCommandFrame,
  encodeCommandFrameMembers,
  encodeEvent,
  type Command,
} from '../src/shared/protocol'
import { benchChildScriptPath } from './bench-host'
import { startChildOnSocket, type ChildOnSocket } from './child-socket'
import { NdjsonLineWriter } from './ndjson-line-writer'
import { readNdjsonLines } from './ndjson-line-reader'
import { withTimeout } from './with-timeout'
import type { CommandTarget } from './workload'

/**
 * The baseline: what a hand-written NDJSON client does, and nothing more. A bare `net.Server` on a
 * Unix socket, the same command frames encoded as a hand-written client encodes them
 * (`JSON.stringify` plus the envelope prefix; HostPipe's own encoder gives the same bytes for
 * less CPU, `src/shared/fast-frames.ts`), and the same write policy as SocketConnection
 * (NdjsonLineWriter), so the baseline is not handicapped by a syscall per frame. Every line back
 * is `JSON.parse`d and cumulative acks are counted. No buffer, no acks bookkeeping, no validation, no snapshots, no promises.
 *
 * Two children: `'host'` (the same host process as HostPipe's: `throughputRatio`) and
 * `'bare'` (bench/bare-child.ts, which only parses and acks: `bareRatio`).
 *
 * Two encoders: `'json'` (`JSON.stringify`, the baseline of every ratio) and `'hostpipe'`
 * (HostPipe's own flat-command encoder, the same bytes): HostPipe ÷ raw with HostPipe's encoder
 * is what HostPipe's bookkeeping costs, with the encoder's gain taken out.
 */
export class RawRig implements CommandTarget {
  readonly name: string
  onAck: (() => void) | undefined
  private readonly writer: NdjsonLineWriter
  private seq = 0
  private ackedSeq = 0
  private failed: Error | undefined

  private constructor(
    private readonly end: ChildOnSocket,
    child: 'host' | 'bare',
    private readonly encoder: 'json' | 'hostpipe',
  ) {
    this.name =
      (child === 'host' ? 'raw NDJSON' : 'raw NDJSON to the bare child') +
      (encoder === 'hostpipe' ? " with HostPipe's encoder" : '')
    const socket = end.socket
    this.writer = new NdjsonLineWriter(socket)
    readNdjsonLines(socket, (lines) => this.onLines(lines))
    socket.on('close', () => (this.failed ??= new Error('the child went away')))
    socket.on('error', (err) => (this.failed ??= err))
  }

  static async start(
    child: 'host' | 'bare' = 'host',
    encoder: 'json' | 'hostpipe' = 'json',
  ): Promise<RawRig> {
    const end = await startChildOnSocket(child === 'bare' ? benchChildScriptPath('bare-child') : undefined)
    try {
      // The child's first line is its `register`; answer it as the launcher would, then take over.
      const register = await withTimeout(firstLine(end.socket), 15_000, 'the child did not register')
      if ((JSON.parse(register) as { cmd?: unknown }).cmd !== 'register')
        throw new Error(`expected register, got ${register}`)
      end.socket.write(
        encodeEvent({
          event: 'registered',
          client_id: 1,
          launcher_pid: process.pid,
          launcher_version: 'bench',
          version: 1,
        }) + '\n',
      )
    } catch (err) {
      await end.dispose()
      throw err
    }
    const rig = new RawRig(end, child, encoder)
    end.socket.resume()
    return rig
  }

  get acked(): number {
    return this.ackedSeq
  }

  get hostPid(): number | undefined {
    return this.end.child.pid
  }

  get failure(): Error | undefined {
    return this.failed
  }

  send(cmd: Command): void {
    if (this.encoder === 'json') this.writer.write(encodeCommandFrame(++this.seq, JSON.stringify(cmd)))
    else this.writer.write(encodeCommandFrameMembers(++this.seq, encodeMembers(cmd)!))
  }

  async dispose(): Promise<void> {
    this.failed ??= new Error('disposed')
    await this.end.dispose()
  }

  private onLines(lines: string[]): void {
    for (const line of lines) {
      const msg = JSON.parse(line) as { cmd?: unknown; seq?: unknown }
      if (msg.cmd === 'ack' && typeof msg.seq === 'number') {
        this.ackedSeq = msg.seq
        this.onAck?.()
      }
    }
  }
}

/** Reads up to the first `\n` and pauses the socket there, leaving the rest unread. */
function firstLine(socket: Socket): Promise<string> {
  return new Promise<string>((resolve) => {
    let text = ''
    socket.setEncoding('utf8')
    const onData = (chunk: string): void => {
      text += chunk
      const nl = text.indexOf('\n')
      if (nl === -1) return
      socket.off('data', onData)
      socket.pause()
      // Nothing follows `register` before the `registered` reply, so nothing is lost here.
      resolve(text.slice(0, nl))
    }
    socket.on('data', onData)
  })
}
