import { RequestType } from 'vscode-jsonrpc/node'
import type { Command } from '../src/shared/protocol'
import type { AddInput, AddOutput } from './call-api'
import { PEER_CALL_METHOD, PEER_METHOD } from './peer-api'

/** PEER_METHOD as a typed vscode-jsonrpc request: a command in, `null` back when taken. */
export const PEER_REQUEST = new RequestType<Command, null, void>(PEER_METHOD)

/** PEER_CALL_METHOD as a typed vscode-jsonrpc request: `{a, b}` in, `{sum}` back. */
export const PEER_CALL_REQUEST = new RequestType<AddInput, AddOutput, void>(PEER_CALL_METHOD)
