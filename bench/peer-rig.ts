import { createBirpc } from 'birpc'
import { createMessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node'
import type { Command } from '../src/shared/protocol'
import { benchChildScriptPath } from './bench-host'
import { birpcSocketChannel } from './birpc-socket-channel'
import { startChildOnSocket, type ChildOnSocket } from './child-socket'
import { PEER_REQUEST } from './jsonrpc-request'
import type { PeerServerFunctions } from './peer-api'
import type { CommandTarget } from './workload'

/** The RPC libraries the `--peers` rows compare HostPipe with. */
export const PEERS = ['birpc', 'jsonrpc'] as const
export type PeerName = (typeof PEERS)[number]

/** An RPC client: `call` resolves when the peer's server has answered the command. */
interface PeerClient {
  call(cmd: Command): Promise<unknown>
  close(): void
}

/**
 * A peer as a CommandTarget: each command is one RPC call (birpc: `rpc.reapPanes(cmd)`;
 * vscode-jsonrpc: `connection.sendRequest`), and its answer counts as the command's ack. Both
 * peers answer in arrival order, so the k-th answer is the k-th command, as with cumulative acks.
 * The server side is its own child process on a private Unix socket, started like a host.
 */
export class PeerRig implements CommandTarget {
  readonly name: string
  onAck: (() => void) | undefined
  private answered = 0
  private failed: Error | undefined
  private readonly onAnswer = (): void => {
    this.answered++
    this.onAck?.()
  }
  private readonly onCallFailed = (err: unknown): void => {
    this.failed ??= err instanceof Error ? err : new Error(String(err))
  }

  private constructor(
    readonly peer: PeerName,
    private readonly end: ChildOnSocket,
    private readonly client: PeerClient,
  ) {
    this.name = peer === 'birpc' ? 'birpc' : 'vscode-jsonrpc'
    end.socket.on('close', () => (this.failed ??= new Error('the peer went away')))
    end.socket.on('error', (err) => (this.failed ??= err))
  }

  static async start(peer: PeerName): Promise<PeerRig> {
    const end = await startChildOnSocket(benchChildScriptPath(`${peer}-child`))
    return new PeerRig(peer, end, peer === 'birpc' ? birpcClient(end) : jsonrpcClient(end))
  }

  get acked(): number {
    return this.answered
  }

  get hostPid(): number | undefined {
    return this.end.child.pid
  }

  get failure(): Error | undefined {
    return this.failed
  }

  send(cmd: Command): void {
    this.client.call(cmd).then(this.onAnswer, this.onCallFailed)
  }

  async dispose(): Promise<void> {
    this.failed ??= new Error('disposed')
    this.client.close()
    await this.end.dispose()
  }
}

/** birpc with its defaults (a 60 s timeout per call) and NDJSON framing on the socket. */
function birpcClient(end: ChildOnSocket): PeerClient {
  const rpc = createBirpc<PeerServerFunctions, Record<string, never>>({}, birpcSocketChannel(end.socket))
  return {
    call: (cmd) => rpc.reapPanes(cmd),
    // Calls still pending at the end reject; the rig is failed by then, so they are not errors.
    close: () => rpc.$rejectPendingCalls().forEach((p) => p.catch(() => undefined)),
  }
}

/** vscode-jsonrpc as a language client uses it: its own Content-Length reader and writer. */
function jsonrpcClient(end: ChildOnSocket): PeerClient {
  const connection = createMessageConnection(
    new SocketMessageReader(end.socket),
    new SocketMessageWriter(end.socket),
  )
  connection.listen()
  return {
    call: (cmd) => connection.sendRequest(PEER_REQUEST, cmd),
    close: () => connection.dispose(),
  }
}
