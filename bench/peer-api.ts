import type { Command } from '../src/shared/protocol'
import type { AddInput, AddOutput } from './call-api'

/**
 * What the RPC peers (birpc, vscode-jsonrpc) serve in the `--peers` rows: one method that takes a
 * command, as the host takes a command frame, and answers when it has taken it (an RPC result is
 * the peer's ack). The handler does nothing else, like the bare child.
 */
export const PEER_METHOD = 'reapPanes'

/** The call scenario's method (bench/call-api.ts), served by every peer beside PEER_METHOD. */
export const PEER_CALL_METHOD = 'add'

export interface PeerServerFunctions {
  [PEER_METHOD]: (cmd: Command) => null
  [PEER_CALL_METHOD]: (input: AddInput) => AddOutput
}

/** The handler both peers' servers run. */
export function handleCommand(_cmd: Command): null {
  return null
}
