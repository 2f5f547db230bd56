/**
 * The raw message echo (bench entry, bundled to out/bench/bytes-echo-child.mjs): connects to
 * HOSTPIPE_PIPE, reads each length-prefixed message into one Buffer, and writes it back with its
 * length. The `bytesRatio` baseline: what a hand-written Unix-socket echo of a `Uint8Array`
 * between two Node processes does, with no protocol beyond the length.
 */
import { connect } from 'node:net'
import { LengthPrefixedReader, lengthPrefixOf } from './length-prefixed-reader'

const path = process.env.HOSTPIPE_PIPE
if (!path) throw new Error('bytes echo child: HOSTPIPE_PIPE must name the socket, got nothing')

const socket = connect(path)
const reader = new LengthPrefixedReader((body) => {
  socket.write(lengthPrefixOf(body))
  socket.write(body)
})
socket.on('data', (chunk: Buffer) => reader.push(chunk))
socket.on('close', () => process.exit(0))
socket.on('error', () => process.exit(1))
