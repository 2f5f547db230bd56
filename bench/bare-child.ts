/**
 * The bare child (bench entry, bundled to out/bench/bare-child.mjs): the least a host can do and
 * still be a host on the wire. It connects to HOSTPIPE_PIPE, sends `register`, then for each read
 * batch `JSON.parse`s every line and writes one cumulative `ack` for the highest `seq` in it. No
 * validation, no execution, no reports. Raw NDJSON to this child is the `bareRatio` baseline:
 * what the launcher side alone can reach when the child costs almost nothing.
 * It exits when its connection closes, as a host does.
 */
import { connect } from 'node:net'
import type { Ack, Register } from '../src/shared/protocol'
import { readNdjsonLines } from './ndjson-line-reader'

const path = process.env.HOSTPIPE_PIPE
if (!path) throw new Error('bare child: HOSTPIPE_PIPE must name the launcher socket, got nothing')

const socket = connect(path, () => {
  const register: Register = {
    cmd: 'register',
    kind: 'host',
    pid: process.pid,
    version: 'bare',
    token: process.env.HOSTPIPE_TOKEN ?? '',
    features: ['ack'],
  }
  socket.write(JSON.stringify(register) + '\n')
})
readNdjsonLines(socket, (lines) => {
  let seq = -1
  for (const line of lines) {
    const frame = JSON.parse(line) as { seq?: unknown }
    if (typeof frame.seq === 'number') seq = frame.seq
  }
  if (seq === -1) return
  const ack: Ack = { cmd: 'ack', seq }
  socket.write(JSON.stringify(ack) + '\n')
})
socket.on('close', () => process.exit(0))
socket.on('error', () => process.exit(1))
