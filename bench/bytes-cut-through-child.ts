/**
 * The raw cut-through echo (bench entry, bundled to out/bench/bytes-cut-through-child.mjs):
 * connects to HOSTPIPE_PIPE and echoes each message (a u32 big-endian length, then that many
 * bytes) back as it comes, each piece written as it was read, never joined. Printed beside
 * `bytesRatio`: what a Unix socket between two Node processes carries when neither side ever
 * holds the message whole, so no fresh memory is touched.
 */
import { connect } from 'node:net'

const path = process.env.HOSTPIPE_PIPE
if (!path) throw new Error('bytes cut-through child: HOSTPIPE_PIPE must name the socket, got nothing')

const socket = connect(path)
let left = -1
let prefix = Buffer.alloc(0)
socket.on('data', (chunk: Buffer) => {
  let at = 0
  while (at < chunk.byteLength) {
    if (left < 0) {
      const take = chunk.subarray(at, at + 4 - prefix.byteLength)
      prefix = Buffer.concat([prefix, take])
      at += take.byteLength
      if (prefix.byteLength < 4) return
      left = prefix.readUInt32BE(0)
      socket.write(prefix)
      prefix = Buffer.alloc(0)
      continue
    }
    const piece = chunk.subarray(at, at + left)
    socket.write(piece)
    left -= piece.byteLength
    at += piece.byteLength
    if (left === 0) left = -1
  }
})
socket.on('close', () => process.exit(0))
socket.on('error', () => process.exit(1))
