import { RequestType } from 'vscode-jsonrpc/node'
import type { Command } from '../src/shared/protocol'
import { PEER_METHOD } from './peer-api'

/** PEER_METHOD as a typed vscode-jsonrpc request: a command in, `null` back when taken. */
export const PEER_REQUEST = new RequestType<Command, null, void>(PEER_METHOD)
