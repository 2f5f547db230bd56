import type { Deferred } from '../base/deferred'
import { FifoQueue } from '../base/fifo-queue'
import { IdMap } from '../base/id-map'
import { holdsBytes, splitJson } from '../../shared/byte-value'
import { encodeMembers, memberOf, numberMember, STOPPED } from '../../shared/fast-frames'
import {
  encodeControlFrame,
  encodeEvent,
  exceedsFrameLimit,
  formatBytes,
  MAX_FRAME_BYTES,
  sagaIdOf,
  utf8ByteLength,
  type ControlCommand,
  type CustomCommand,
  type HostCommand,
  type Event,
} from '../../shared/protocol'
import { HostPipeError } from './host-pipe-error'

// A host-bound frame on its way through HostPipe: made once (`createOutboundCommand`), written by
// a `WriterSlot` (writer-slot.ts) and tracked in `InFlightCommands` until acked. While no host can
// take it, it waits in the `OutageBuffer` (pending-buffer.ts); `UndeliveredFrames`
// (undelivered-frames.ts) says what becomes of one that cannot be delivered.

/**
 * Room for the envelope (`{"kind":"command","seq":…,` and `}`) added at write time: counted in a
 * command's encoded size (docs/protocol.md#payload-size).
 */
export const ENVELOPE_BYTES = 48

/**
 * One host-bound command on its way: in the pending buffer, queued on a writer, or in flight.
 * The same object moves between those places, so nothing is serialised twice.
 */
export interface OutboundCommand {
  readonly type: 'command'
  /** Call order across the pipe's life: the pending buffer is kept sorted by it. */
  readonly ordinal: number
  readonly cmd: HostCommand
  /**
   * `JSON.stringify(cmd)`'s members, each preceded by a comma (`,"cmd":"reap_panes"`), computed
   * once at send time (`encodeMembers`): the envelope goes around them at write
   * time.
   */
  readonly members: string
  /**
   * The command's byte blocks when it holds any (docs/protocol.md#byte-frames): `members` then
   * has `null` where each block sits, `paths` is the JSON of their paths, and the command is
   * written as a byte frame. Undefined for the usual command, written as a line.
   */
  readonly blocks?: Uint8Array[]
  readonly paths?: string
  /** The bytes of `blocks`, for what counts queued bytes; 0 without blocks. */
  readonly blockBytes: number
  readonly sagaId: number | undefined
  /** Fail-fast probe (`trySendCommandNoBuffer`): never buffered, never re-sent. */
  readonly noBuffer: boolean
  /** Assigned when its write starts (0 before): the `seq` of its HostFrame envelope. */
  seq: number
  /**
   * The caller still waiting for this frame to be written; none when nobody waits (its write
   * completed before `sendCommand` returned, or it was buffered).
   */
  waiter: Deferred<void> | undefined
  /** Its saga was already failed or cancelled: it will never be failed (again) or re-sent. */
  settled: boolean
  /** The caller asked for retry on host loss (`sendCommand(cmd, {retry})`). */
  readonly retry: boolean
  /** Writes started so far (each to a host, with its own `seq`). */
  attempts: number
  /**
   * Going again after its host was lost with it in flight (docs/protocol.md#retry-on-host-loss):
   * it goes ahead of the buffer and never counts toward its capacity. Not set for a frame whose
   * write merely failed.
   */
  isHostLossRetry: boolean
}

/**
 * An app call's command without its input, `{cmd, saga_id, deadline}` (its JSON has no
 * `deadline` when that is undefined), as the saga layer hands it to HostPipe beside the input
 * (`postCommand`'s `fields`): its members are written without walking it (`headMembers`).
 */
export class CallHead implements CustomCommand {
  [field: string]: unknown
  /**
   * An inert instance that outlives every call: V8 drops a class's instance shape at a full GC
   * once no instance is alive, and the optimized code of the whole call path with it.
   */
  static readonly shapeAnchor: unknown = new CallHead('', 0, undefined)
  constructor(
    readonly cmd: string,
    readonly saga_id: number,
    readonly deadline: number | undefined,
  ) {}
}

/** `,"cmd":"<name>","saga_id":` by command name; bounded, as names come from the app's definitions. */
const headPrefixes = new Map<string, string>()
const MAX_HEAD_PREFIXES = 256
/** The encoder's `deadline` member: calls started in one ms with one timeout share its text. */
const DEADLINE_MEMBER = memberOf('deadline')

/** `encodeMembers(head)`, made from cached pieces: the command's name and deadline repeat. */
function headMembers(head: CallHead): string {
  let prefix = headPrefixes.get(head.cmd)
  if (prefix === undefined) {
    prefix = ',"cmd":' + JSON.stringify(head.cmd) + ',"saga_id":'
    if (headPrefixes.size < MAX_HEAD_PREFIXES) headPrefixes.set(head.cmd, prefix)
  }
  const id = JSON.stringify(head.saga_id)
  return head.deadline === undefined
    ? prefix + id
    : prefix + id + numberMember(DEADLINE_MEMBER, head.deadline)
}

/** Per-frame options of `HostPipe.sendCommand` and `postCommand`. */
export interface SendCommandOptions {
  /**
   * Retry on host loss (docs/protocol.md#retry-on-host-loss). Default false: at-most-once. Only
   * for commands safe to run twice (the lost host may have run it).
   */
  retry?: boolean
  /**
   * What `byteBlocksLength` said of the command, when the caller measured it already (−1: it
   * holds no bytes): the pipe then does not walk it again. Default: the pipe looks itself.
   */
  blockBytes?: number
}

/**
 * Where a saga's command is: `buffered` (not yet written: it can still be removed, never sent), or
 * `in-flight` (its write started on the current host, which acks, and no ack covered it yet).
 */
export type SagaCommandState = 'buffered' | 'in-flight'

/** A raw event queued on a writer (events are never buffered). */
export interface OutboundEvent {
  readonly type: 'event'
  readonly line: string
  /** The caller waiting for its write; none when the write completed before the call returned. */
  waiter: Deferred<void> | undefined
}

export type Outbound = OutboundCommand | OutboundEvent

/**
 * Serialises `cmd` once, for its whole way through the pipe. Returns (never throws) a SERIALIZE
 * HostPipeError when it does not serialise to a JSON object, or a PAYLOAD_TOO_LARGE one when its
 * frame would take more than `maxPayloadBytes` (default MAX_FRAME_BYTES) once enveloped: the size
 * is read off the text already made, its length first, UTF-8 counted only near the limit.
 * `ordinal` is its place in call order. `knownBlockBytes`: what `byteBlocksLength` said of `cmd`
 * when the caller measured it already (−1: no bytes), so the command is not walked again.
 * `fields`: members written after `cmd`'s own (an app call's input, whose names never clash with
 * the envelope's), so no object merging the two is made; the command is `cmd` with them.
 */
export function createOutboundCommand(
  cmd: HostCommand,
  ordinal: number,
  noBuffer: boolean,
  retry = false,
  maxPayloadBytes: number = MAX_FRAME_BYTES,
  knownBlockBytes?: number,
  fields?: object,
): OutboundCommand | HostPipeError {
  let members: string | undefined
  let split: { paths: string; blocks: Uint8Array[] } | undefined
  let blockBytes = 0
  try {
    // Bytes are looked for only in nested members, as the encoder meets them: a flat command
    // costs no extra walk. A call the router measured is known to hold them.
    members =
      knownBlockBytes === undefined
        ? encodeMembers(fields ?? cmd, holdsBytes)
        : knownBlockBytes >= 0
          ? STOPPED
          : encodeMembers(fields ?? cmd)
    if (fields !== undefined) {
      const input = members
      if (input === undefined || input === STOPPED) {
        // Input that is not a JSON object, or that holds bytes: the merged command, as a whole.
        cmd = Object.assign({}, cmd, fields)
        members = input === STOPPED ? STOPPED : encodeMembers(cmd)
      } else {
        const own = cmd instanceof CallHead ? headMembers(cmd) : encodeMembers(cmd)
        members = own === undefined ? undefined : own + input
      }
    }
    if (members === STOPPED) {
      const parts = splitJson(cmd)
      members = parts.json.length > 2 ? ',' + parts.json.slice(1, -1) : ''
      split = parts
      for (const block of parts.blocks) blockBytes += block.byteLength
    }
  } catch (err) {
    return new HostPipeError('SERIALIZE', `command failed to serialise: ${String(err)}`, { cause: err })
  }
  if (members === undefined) return new HostPipeError('SERIALIZE', 'command must serialise to a JSON object')
  // A byte frame's own overhead: its lengths, and the header's `b` with the paths.
  const frameOverhead = split ? 9 + 4 * split.blocks.length + 12 + split.paths.length : 0
  const room = maxPayloadBytes - ENVELOPE_BYTES - blockBytes - frameOverhead
  if (room < 0 || exceedsFrameLimit(members, room))
    return new HostPipeError(
      'PAYLOAD_TOO_LARGE',
      `input of \`${cmd.cmd}\` is ${formatBytes(utf8ByteLength(members) + ENVELOPE_BYTES + blockBytes + frameOverhead)} bytes once encoded; ` +
        `maxPayloadBytes is ${formatBytes(maxPayloadBytes)}`,
    )
  return {
    type: 'command',
    ordinal,
    cmd,
    members,
    blocks: split?.blocks,
    paths: split?.paths,
    blockBytes,
    sagaId: sagaIdOf(cmd),
    noBuffer,
    seq: 0,
    waiter: undefined,
    settled: false,
    retry,
    attempts: 0,
    isHostLossRetry: false,
  }
}

/** A raw event for a writer's queue, or a SERIALIZE HostPipeError (never throws). */
export function createOutboundEvent(e: Event): OutboundEvent | HostPipeError {
  try {
    return { type: 'event', line: encodeEvent(e), waiter: undefined }
  } catch (err) {
    return new HostPipeError('SERIALIZE', `event failed to serialise: ${String(err)}`, { cause: err })
  }
}

/** The WRITE_FAILED error a caller gets when its frame's write failed. */
export function writeFailed(err: unknown): HostPipeError {
  return new HostPipeError('WRITE_FAILED', `write to host pipe failed: ${String(err)}`, { cause: err })
}

/**
 * A control frame (docs/protocol.md#control-frames: `probe_ui_thread`, `cancel_saga`) ready for a
 * writer's queue, or a SERIALIZE HostPipeError naming the command (never throws). It is the command envelope
 * without `seq`, queued as a raw line, as an event is: the write loop treats both alike, so it is
 * never buffered, never in flight and not counted as a command.
 */
export function createOutboundControl(cmd: ControlCommand): OutboundEvent | HostPipeError {
  try {
    return { type: 'event', line: encodeControlFrame(cmd), waiter: undefined }
  } catch (err) {
    return new HostPipeError('SERIALIZE', `${cmd.cmd} failed to serialise: ${String(err)}`, { cause: err })
  }
}

/** Unacked commands allowed on the wire at once; more wait in the pending buffer (pending-buffer.ts). */
export const MAX_IN_FLIGHT = 1024

/**
 * Commands written to the current host and not yet acked, in write order. Two ways to be acked,
 * fixed per host (`reset`):
 * - cumulative (feature `ack`): an ack covers its seq and everything written before it, so the
 *   commands sit in a queue and an ack shifts its head;
 * - per call (feature `per_call_ack`): the host completes commands in any order and each ack
 *   names one, so they sit in a map by seq (listed by seq, which is write order), with the
 *   sagas they belong to counted so a saga's lookup costs O(1) instead of a walk.
 * Seqs run on across hosts, for the pipe's life: a seq names one write, never two.
 */
export class InFlightCommands {
  private readonly queue = new FifoQueue<OutboundCommand>()
  private readonly bySeq = new IdMap<OutboundCommand>()
  /** Per call: how many of each saga's commands are in `bySeq`. */
  private readonly sagaCounts = new IdMap<number>()
  private nextSeq = 1
  /** How the current host acks (see `reset`). */
  isPerCall = false

  get length(): number {
    return this.isPerCall ? this.bySeq.size : this.queue.length
  }

  /** A new host: how it acks. Only called while nothing is in flight (its predecessor's were taken). */
  reset(isPerCall: boolean): void {
    this.isPerCall = isPerCall
  }

  /**
   * A command's write starts: gives it the next seq and counts the attempt, and tracks it when the
   * host acks (`isTracked`). Returns the seq.
   */
  beginWrite(frame: OutboundCommand, isTracked: boolean): number {
    const seq = this.nextSeq++
    frame.seq = seq
    frame.attempts++
    // In flight from the moment the write starts: on a socket the ack can beat the callback.
    if (!isTracked) return seq
    if (!this.isPerCall) {
      this.queue.push(frame)
      return seq
    }
    this.bySeq.set(seq, frame)
    if (frame.sagaId !== undefined)
      this.sagaCounts.set(frame.sagaId, (this.sagaCounts.get(frame.sagaId) ?? 0) + 1)
    return seq
  }

  /**
   * Cumulative: the host acked `seq`, so it and every command written before it are done.
   * Per call: only `seq` is done. Returns how many that untracked; 0 when `seq` is not in flight.
   */
  ack(seq: number): number {
    if (this.isPerCall) {
      const frame = this.bySeq.get(seq)
      if (!frame) return 0
      this.untrack(frame)
      return 1
    }
    const oldest = this.queue.first
    if (!oldest || seq < oldest.seq || seq > this.queue.last!.seq) return 0
    let acked = 0
    for (let frame = this.queue.first; frame && frame.seq <= seq; frame = this.queue.first) {
      this.queue.shift()
      acked++
    }
    return acked
  }

  /** Untracks `frame` if it is the newest (its write just failed). True when it was tracked. */
  removeNewest(frame: OutboundCommand): boolean {
    if (this.isPerCall) {
      if (this.bySeq.get(frame.seq) !== frame) return false
      this.untrack(frame)
      return true
    }
    if (this.queue.last !== frame) return false
    this.queue.pop()
    return true
  }

  /** Marks the saga's commands settled: their acks still count, but they are never failed. */
  settleSaga(sagaId: number): void {
    if (this.isPerCall && !this.sagaCounts.has(sagaId)) return
    this.forEach((frame) => {
      if (frame.sagaId === sagaId) frame.settled = true
    })
  }

  /** Whether any of the saga's commands is in flight. */
  hasSaga(sagaId: number): boolean {
    if (this.isPerCall) return this.sagaCounts.has(sagaId)
    let found = false
    this.queue.forEach((frame) => {
      if (frame.sagaId === sagaId) found = true
    })
    return found
  }

  /** Untracks everything (the writer went away) and returns it, oldest first. */
  takeAll(): OutboundCommand[] {
    if (!this.isPerCall) return this.queue.takeAll()
    const all = this.bySeq.values()
    this.bySeq.clear()
    this.sagaCounts.clear()
    return all
  }

  private forEach(fn: (frame: OutboundCommand) => void): void {
    if (this.isPerCall) for (const frame of this.bySeq.values()) fn(frame)
    else this.queue.forEach(fn)
  }

  private untrack(frame: OutboundCommand): void {
    this.bySeq.delete(frame.seq)
    const sagaId = frame.sagaId
    if (sagaId === undefined) return
    const n = this.sagaCounts.get(sagaId)!
    if (n === 1) this.sagaCounts.delete(sagaId)
    else this.sagaCounts.set(sagaId, n - 1)
  }
}
