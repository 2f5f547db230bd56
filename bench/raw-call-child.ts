/**
 * The raw call loop's server (bench entry, bundled to out/bench/raw-call-child.mjs): connects to
 * HOSTPIPE_PIPE, and answers each `{"id":n,"a":…,"b":…}` line with `{"id":n,"sum":…}`:
 * `JSON.parse` and `JSON.stringify`, no validation, no register, written with SocketConnection's
 * policy (NdjsonLineWriter). Exits when its connection closes, as a host does.
 */
import { connect } from 'node:net'
import type { RawCallRequest, RawCallResponse } from './call-api'
import { NdjsonLineWriter } from './ndjson-line-writer'
import { readNdjsonLines } from './ndjson-line-reader'

const path = process.env.HOSTPIPE_PIPE
if (!path) throw new Error('raw call child: HOSTPIPE_PIPE must name the launcher socket, got nothing')

const socket = connect(path)
const writer = new NdjsonLineWriter(socket)
readNdjsonLines(socket, (lines) => {
  for (const line of lines) {
    const { id, a, b } = JSON.parse(line) as RawCallRequest
    const response: RawCallResponse = { id, sum: a + b }
    writer.write(JSON.stringify(response))
  }
})
socket.on('close', () => process.exit(0))
socket.on('error', () => process.exit(1))
