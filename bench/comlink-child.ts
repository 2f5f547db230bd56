/**
 * The comlink peer's server side (bench entry, bundled to out/bench/comlink-child.mjs): connects
 * to HOSTPIPE_PIPE and `expose`s PEER_CALL_METHOD over comlinkSocketEndpoint (a message per
 * NDJSON line). Exits when its connection closes, as a host does.
 */
import { expose } from 'comlink'
import { connect } from 'node:net'
import { add } from './call-api'
import { comlinkSocketEndpoint } from './comlink-socket-endpoint'
import { PEER_CALL_METHOD } from './peer-api'

const path = process.env.HOSTPIPE_PIPE
if (!path) throw new Error('comlink child: HOSTPIPE_PIPE must name the launcher socket, got nothing')

const socket = connect(path)
expose({ [PEER_CALL_METHOD]: add }, comlinkSocketEndpoint(socket))
socket.on('close', () => process.exit(0))
socket.on('error', () => process.exit(1))
