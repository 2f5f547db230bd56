/**
 * The birpc peer's server side (bench entry, bundled to out/bench/birpc-child.mjs): connects to
 * HOSTPIPE_PIPE and serves PEER_METHOD (and PEER_CALL_METHOD, for the call scenario) with birpc
 * over NDJSON. birpc leaves the transport to its user; this one frames a message per line
 * (`JSON.stringify` / `JSON.parse`) and writes with SocketConnection's policy, the same as the raw
 * baseline and the bare child. Exits when its connection closes, as a host does.
 */
import { createBirpc } from 'birpc'
import { connect } from 'node:net'
import { add } from './call-api'
import { PEER_CALL_METHOD, PEER_METHOD, handleCommand, type PeerServerFunctions } from './peer-api'
import { birpcSocketChannel } from './birpc-socket-channel'

const path = process.env.HOSTPIPE_PIPE
if (!path) throw new Error('birpc child: HOSTPIPE_PIPE must name the launcher socket, got nothing')

const socket = connect(path)
createBirpc<Record<string, never>, PeerServerFunctions>(
  { [PEER_METHOD]: handleCommand, [PEER_CALL_METHOD]: add },
  birpcSocketChannel(socket),
)
socket.on('close', () => process.exit(0))
socket.on('error', () => process.exit(1))
