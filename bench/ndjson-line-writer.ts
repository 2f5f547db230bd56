import type { Socket } from 'node:net'

/**
 * SocketConnection's SOCKET_FLUSH_BYTES, SOCKET_FIRST_FLUSH_BYTES and SOCKET_SEND_HIGH_WATER,
 * spelled here so the bench's child scripts do not bundle the launcher's IPC layer (test/bench
 * checks they agree).
 */
export const LINE_FLUSH_BYTES = 16 * 1024
export const LINE_FIRST_FLUSH_BYTES = 4 * 1024
export const LINE_SEND_HIGH_WATER = 64 * 1024

/**
 * SocketConnection's write policy, for the bench's own NDJSON ends (the raw baseline, the bare
 * child, birpc on both sides): the lines of one tick go out as one `socket.write`, or at once when
 * LINE_FIRST_FLUSH_BYTES (the tick's first write) or LINE_FLUSH_BYTES (later ones) are queued,
 * and wait while the socket holds LINE_SEND_HIGH_WATER bytes. So no baseline pays a syscall per
 * frame that HostPipe does not pay.
 */
export class NdjsonLineWriter {
  private lines: string[] = []
  private linesBytes = 0
  private isFlushScheduled = false
  private hasFlushedEarly = false

  constructor(private readonly socket: Socket) {
    socket.on('drain', this.flush)
  }

  /** Queues one line (without its `\n`). */
  write(line: string): void {
    this.lines.push(line)
    this.linesBytes += line.length + 1
    if (this.linesBytes >= (this.hasFlushedEarly ? LINE_FLUSH_BYTES : LINE_FIRST_FLUSH_BYTES)) {
      this.hasFlushedEarly = true
      this.writeLines()
    }
    if (this.isFlushScheduled) return
    this.isFlushScheduled = true
    process.nextTick(this.flushAtTickEnd)
  }

  private readonly flushAtTickEnd = (): void => {
    this.hasFlushedEarly = false
    this.flush()
  }

  private readonly flush = (): void => {
    this.isFlushScheduled = false
    this.writeLines()
  }

  /** Writes the queued lines unless the socket is backed up ('drain' calls `flush` again). */
  private writeLines(): void {
    if (this.lines.length === 0 || this.socket.writableLength >= LINE_SEND_HIGH_WATER) return
    if (this.socket.destroyed) return
    const data = this.lines.join('\n') + '\n'
    this.lines = []
    this.linesBytes = 0
    this.socket.write(data)
  }
}
