/**
 * The vscode-jsonrpc peer's server side (bench entry, bundled to out/bench/jsonrpc-child.mjs):
 * connects to HOSTPIPE_PIPE and serves PEER_METHOD (and PEER_CALL_METHOD, for the call scenario)
 * through `createMessageConnection` over vscode-jsonrpc's own `SocketMessageReader` /
 * `SocketMessageWriter` (Content-Length framing, as a language server does). Exits when its
 * connection closes, as a host does.
 */
import { connect } from 'node:net'
import { createMessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node'
import { handleCommand } from './peer-api'
import { add } from './call-api'
import { PEER_CALL_REQUEST, PEER_REQUEST } from './jsonrpc-request'

const path = process.env.HOSTPIPE_PIPE
if (!path) throw new Error('jsonrpc child: HOSTPIPE_PIPE must name the launcher socket, got nothing')

const socket = connect(path)
const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket))
connection.onRequest(PEER_REQUEST, handleCommand)
connection.onRequest(PEER_CALL_REQUEST, add)
connection.listen()
socket.on('close', () => process.exit(0))
socket.on('error', () => process.exit(1))
