/**
 * Reads length-prefixed messages (a u32 big-endian length, then that many bytes) off a byte
 * stream into one Buffer each: the plain code a raw Unix-socket echo of a `Uint8Array` is written
 * with, shared by the bench's raw echo child and its parent side.
 */
export class LengthPrefixedReader {
  private prefix = Buffer.alloc(4)
  private prefixBytes = 0
  private body: Buffer | undefined
  private bodyBytes = 0

  constructor(private readonly onMessage: (body: Buffer) => void) {}

  push(chunk: Buffer): void {
    let at = 0
    while (at < chunk.byteLength) {
      if (!this.body) {
        const n = Math.min(4 - this.prefixBytes, chunk.byteLength - at)
        chunk.copy(this.prefix, this.prefixBytes, at, at + n)
        this.prefixBytes += n
        at += n
        if (this.prefixBytes < 4) return
        this.prefixBytes = 0
        // Not zero-filled: every byte is written before the message is handed on.
        this.body = Buffer.allocUnsafe(this.prefix.readUInt32BE(0))
        this.bodyBytes = 0
      } else {
        const n = Math.min(this.body.byteLength - this.bodyBytes, chunk.byteLength - at)
        chunk.copy(this.body, this.bodyBytes, at, at + n)
        this.bodyBytes += n
        at += n
      }
      if (this.bodyBytes === this.body.byteLength) {
        const body = this.body
        this.body = undefined
        this.onMessage(body)
      }
    }
  }
}

/** The 4 bytes written before `body`: its length, u32 big-endian. */
export function lengthPrefixOf(body: Uint8Array): Buffer {
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32BE(body.byteLength, 0)
  return prefix
}
