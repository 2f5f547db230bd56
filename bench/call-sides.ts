import { createBirpc } from 'birpc'
import { wrap } from 'comlink'
import { createMessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node'
import { FifoQueue } from '../src/main/base/fifo-queue'
import { DEFAULT_CONCURRENCY } from '../src/main/launcher/call-router'
import { createLauncher } from '../src/lib/node'
import { benchChildScriptPath } from './bench-host'
import { birpcSocketChannel } from './birpc-socket-channel'
import type { AddInput, AddOutput, RawCallRequest, RawCallResponse } from './call-api'
import { CALL_COMMANDS } from './call-commands'
import { startChildOnSocket, type ChildOnSocket } from './child-socket'
import { comlinkSocketEndpoint } from './comlink-socket-endpoint'
import { PEER_CALL_REQUEST } from './jsonrpc-request'
import { NdjsonLineWriter } from './ndjson-line-writer'
import { readNdjsonLines } from './ndjson-line-reader'
import type { PeerServerFunctions } from './peer-api'
import { withTimeout } from './with-timeout'

/** The RPC libraries the call scenario's `--peers` rows compare with the raw call loop. */
export const CALL_PEERS = ['birpc', 'comlink', 'jsonrpc'] as const
export type CallPeerName = (typeof CALL_PEERS)[number]

/** Calls kept in flight by the call scenario's throughput rounds: when one settles the next starts. */
export const CALLS_OUTSTANDING = 256

/**
 * The sides of the call scenario, each its own child process on its own private Unix socket:
 * `pipe` (`launcher.call('add')` on a real launcher with the default options), `pipeWide` (the
 * same with `concurrency` equal to the calls outstanding, so none waits in the launcher), `raw`
 * (the raw NDJSON request/response loop to bench/raw-call-child.ts), `rawWindow` (the same loop
 * with at most the launcher's default `concurrency` on the wire, the rest waiting in order, as
 * the launcher's calls do) and, with `--peers`, each library's awaited call to its own server.
 */
export type CallSideName = 'raw' | 'rawWindow' | 'pipe' | 'pipeWide' | CallPeerName

/** One side: an awaited `add` call and the child that answers it. */
export interface CallSide {
  readonly name: string
  /** The answering child (the host, the raw child, the peer's server), for its CPU time. */
  readonly childPid: number | undefined
  add(input: AddInput): Promise<AddOutput>
  /** Ends the connection and waits for the child to exit. */
  dispose(): Promise<void>
}

const START_TIMEOUT_MS = 15_000

export const CALL_SIDE_LABELS: Record<CallSideName, string> = {
  pipe: 'HostPipe',
  pipeWide: `HostPipe with concurrency ${CALLS_OUTSTANDING}`,
  raw: 'raw call loop',
  rawWindow: `raw call loop with ${DEFAULT_CONCURRENCY} on the wire`,
  birpc: 'birpc',
  comlink: 'comlink',
  jsonrpc: 'vscode-jsonrpc',
}

/** Starts one side and resolves once its child is connected (HostPipe: registered). */
export async function startCallSide(side: CallSideName): Promise<CallSide> {
  switch (side) {
    case 'pipe':
      return startLauncherSide()
    case 'pipeWide':
      return startLauncherSide(CALLS_OUTSTANDING)
    case 'raw':
      return RawCallLoop.start(CALL_SIDE_LABELS.raw)
    case 'rawWindow':
      return RawCallLoop.start(CALL_SIDE_LABELS.rawWindow, DEFAULT_CONCURRENCY)
    case 'birpc':
      return startBirpcSide()
    case 'comlink':
      return startComlinkSide()
    case 'jsonrpc':
      return startJsonrpcSide()
  }
}

/**
 * The public API as an app uses it: `createLauncher` (`hostpipe/node`) with bench/call-host.ts as
 * the host entry, the default `pipe` transport, and no standby (nothing here kills the host, and
 * an idle spare would be one more process on a 2-core machine).
 */
async function startLauncherSide(concurrency?: number): Promise<CallSide> {
  const launcher = createLauncher({
    hostEntry: benchChildScriptPath('call-host'),
    commands: CALL_COMMANDS,
    standby: 0,
    ...(concurrency !== undefined && { concurrency }),
  })
  try {
    await withTimeout(launcher.start(), START_TIMEOUT_MS, 'the call host did not register')
  } catch (err) {
    await launcher.stop()
    throw err
  }
  return {
    name: CALL_SIDE_LABELS[concurrency === undefined ? 'pipe' : 'pipeWide'],
    childPid: launcher.diagnostics().hostPid ?? undefined,
    add: (input) => launcher.call('add', input),
    dispose: () => launcher.stop(),
  }
}

/**
 * The baseline: what a hand-written request/response client over NDJSON does, and nothing more.
 * Each call is a `{"id":n,"a":…,"b":…}` line (`JSON.stringify`) written with SocketConnection's
 * policy (NdjsonLineWriter); each answer `{"id":n,"sum":…}` is `JSON.parse`d and settles the call
 * its id names, from a Map. No validation, no deadline, no buffering: a lost connection rejects
 * every pending call. With a `window`, at most that many requests are on the wire; the others wait
 * here in call order and go as answers come back.
 */
class RawCallLoop implements CallSide {
  private readonly writer: NdjsonLineWriter
  private readonly pending = new Map<
    number,
    { resolve: (o: AddOutput) => void; reject: (e: Error) => void }
  >()
  private lastId = 0
  private onWire = 0
  /** Requests beyond the window, oldest first (a ring: a sent one is not kept). */
  private readonly waiting = new FifoQueue<RawCallRequest>()

  private constructor(
    readonly name: string,
    private readonly end: ChildOnSocket,
    private readonly window: number,
  ) {
    this.writer = new NdjsonLineWriter(end.socket)
    readNdjsonLines(end.socket, (lines) => {
      for (const line of lines) {
        const { id, sum } = JSON.parse(line) as RawCallResponse
        const call = this.pending.get(id)
        if (!call) throw new Error(`the raw call child answered id ${id}, which is not pending`)
        this.pending.delete(id)
        this.onWire--
        this.sendWaiting()
        call.resolve({ sum })
      }
    })
    end.socket.on('close', () => this.rejectPending(new Error('the raw call child went away')))
  }

  static async start(name: string, window = Infinity): Promise<RawCallLoop> {
    return new RawCallLoop(name, await startChildOnSocket(benchChildScriptPath('raw-call-child')), window)
  }

  get childPid(): number | undefined {
    return this.end.child.pid
  }

  add({ a, b }: AddInput): Promise<AddOutput> {
    const id = ++this.lastId
    return new Promise<AddOutput>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      const request: RawCallRequest = { id, a, b }
      if (this.onWire < this.window) this.send(request)
      else this.waiting.push(request)
    })
  }

  private send(request: RawCallRequest): void {
    this.onWire++
    this.writer.write(JSON.stringify(request))
  }

  private sendWaiting(): void {
    const next = this.waiting.shift()
    if (next) this.send(next)
  }

  async dispose(): Promise<void> {
    this.rejectPending(new Error('disposed'))
    await this.end.dispose()
  }

  private rejectPending(err: Error): void {
    for (const call of this.pending.values()) call.reject(err)
    this.pending.clear()
    this.waiting.takeAll()
    this.onWire = 0
  }
}

/** birpc with its defaults, over the throughput peers' NDJSON channel (bench/birpc-socket-channel.ts). */
async function startBirpcSide(): Promise<CallSide> {
  const end = await startChildOnSocket(benchChildScriptPath('birpc-child'))
  const rpc = createBirpc<PeerServerFunctions, Record<string, never>>({}, birpcSocketChannel(end.socket))
  return {
    name: CALL_SIDE_LABELS.birpc,
    childPid: end.child.pid,
    add: (input) => rpc.add(input),
    dispose: async () => {
      rpc.$rejectPendingCalls().forEach((p) => p.catch(() => undefined))
      await end.dispose()
    },
  }
}

/** comlink's `wrap` over comlinkSocketEndpoint (a message per NDJSON line). */
async function startComlinkSide(): Promise<CallSide> {
  const end = await startChildOnSocket(benchChildScriptPath('comlink-child'))
  const remote = wrap<Pick<PeerServerFunctions, 'add'>>(comlinkSocketEndpoint(end.socket))
  return {
    name: CALL_SIDE_LABELS.comlink,
    childPid: end.child.pid,
    add: (input) => remote.add(input),
    dispose: () => end.dispose(),
  }
}

/** vscode-jsonrpc over its own socket reader and writer, as the throughput peer. */
async function startJsonrpcSide(): Promise<CallSide> {
  const end = await startChildOnSocket(benchChildScriptPath('jsonrpc-child'))
  const connection = createMessageConnection(
    new SocketMessageReader(end.socket),
    new SocketMessageWriter(end.socket),
  )
  connection.listen()
  return {
    name: CALL_SIDE_LABELS.jsonrpc,
    childPid: end.child.pid,
    add: (input) => connection.sendRequest(PEER_CALL_REQUEST, input),
    dispose: async () => {
      connection.dispose()
      await end.dispose()
    },
  }
}
