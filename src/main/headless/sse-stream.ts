import type { ServerResponse } from 'node:http'
import type { Disposable } from '../base/disposable'
import { OnceEmitter } from '../base/once-emitter'
import { SECURITY_HEADERS } from './http-responses'

/** Comment lines keep proxies and idle timeouts from closing a quiet stream. */
export const SSE_HEARTBEAT_MS = 15_000
/** Bytes a slow client may leave unread before messages are skipped for it. */
export const SSE_BUFFER_LIMIT = 1024 * 1024

export interface SseStreamOptions {
  heartbeatMs?: number
  bufferLimit?: number
}

/**
 * One Server-Sent Events response. A client that stops reading does not grow memory without
 * bound: past `bufferLimit` unread bytes, events are skipped (and counted in a comment once it
 * catches up) and only the newest snapshot-like message is kept for when it drains.
 */
export class SseStream {
  private readonly bufferLimit: number
  private readonly heartbeat: ReturnType<typeof setInterval>
  private latest: Map<string, unknown> | undefined
  private skipped = 0
  private readonly didClose = new OnceEmitter<void>()

  constructor(
    private readonly res: ServerResponse,
    opts: SseStreamOptions = {},
  ) {
    this.bufferLimit = opts.bufferLimit ?? SSE_BUFFER_LIMIT
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    })
    // A dropped stream is retried by EventSource after this many ms.
    res.write('retry: 1000\n\n')
    this.heartbeat = setInterval(() => this.writeRaw(': heartbeat\n\n'), opts.heartbeatMs ?? SSE_HEARTBEAT_MS)
    this.heartbeat.unref()
    res.on('drain', () => this.onDrain())
    res.on('close', () => this.close())
  }

  /** Sends `event: name` with JSON data; skipped (and counted) while the client is behind. */
  send(name: string, data: unknown): void {
    if (this.isBehind()) {
      this.skipped++
      return
    }
    this.writeRaw(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
  }

  /** Like send, but while the client is behind only the newest message of this name is kept. */
  sendLatest(name: string, data: unknown): void {
    if (this.isBehind()) {
      ;(this.latest ??= new Map()).set(name, data)
      return
    }
    this.writeRaw(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
  }

  /** Calls `fn` once the stream is closed (at once if it is). */
  onClose(fn: () => void): Disposable {
    return this.didClose.event(fn)
  }

  close(): void {
    if (this.didClose.hasFired) return
    clearInterval(this.heartbeat)
    if (!this.res.writableEnded) this.res.end()
    this.didClose.fire()
  }

  private isBehind(): boolean {
    return this.res.writableLength > this.bufferLimit
  }

  private onDrain(): void {
    if (this.didClose.hasFired) return
    if (this.skipped > 0) {
      this.writeRaw(`: skipped ${this.skipped} event(s) while the client was behind\n\n`)
      this.skipped = 0
    }
    const latest = this.latest
    this.latest = undefined
    for (const [name, data] of latest ?? []) this.sendLatest(name, data)
  }

  private writeRaw(text: string): void {
    if (!this.didClose.hasFired && !this.res.writableEnded) this.res.write(text)
  }
}
