import type { Socket } from 'node:net'

/**
 * The protocol's MAX_FRAME_BYTES, spelled here so the bench's child scripts do not bundle
 * protocol.ts and zod with it (test/bench checks the two agree).
 */
export const MAX_LINE_CHARS = 1024 * 1024

/**
 * Splits a socket's UTF-8 text into NDJSON lines and calls `onBatch` once per chunk read with the
 * lines it completed (possibly none), so a reader can answer a whole read batch with one write.
 * An unterminated line longer than MAX_LINE_CHARS destroys the socket with an error naming it:
 * memory stays bounded whatever the other end sends.
 */
export function readNdjsonLines(socket: Socket, onBatch: (lines: string[]) => void): void {
  let partial = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    const text = partial + chunk
    const lines: string[] = []
    let start = 0
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lines.push(text.slice(start, nl))
      start = nl + 1
    }
    partial = text.slice(start)
    if (partial.length > MAX_LINE_CHARS) {
      partial = ''
      socket.destroy(new Error(`an NDJSON line is longer than ${MAX_LINE_CHARS} characters`))
      return
    }
    onBatch(lines)
  })
}
