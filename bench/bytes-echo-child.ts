/**
 * The raw bytes echo (bench entry, bundled to out/bench/bytes-echo-child.mjs): connects to
 * HOSTPIPE_PIPE and echoes each frame (a u32 big-endian length, then that many bytes) back as it
 * came, its pieces written as they were read, never joined. The `bytesRatio` baseline: what a
 * Unix socket between two Node processes carries with no protocol at all.
 */
import { connect } from 'node:net'

const path = process.env.HOSTPIPE_PIPE
if (!path) throw new Error('bytes echo child: HOSTPIPE_PIPE must name the socket, got nothing')

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
