import type { Deferred } from '../base/deferred'
import {
  encodeEvent,
  exceedsFrameLimit,
  MAX_FRAME_BYTES,
  sagaIdOf,
  type HostCommand,
  type Event,
} from '../../shared/protocol'
import { encodeMembers } from '../../shared/json-members'
import { HostPipeError } from './host-pipe-error'

/** Room for the envelope (`{"kind":"command","seq":…,` and `}`) added at write time. */
const ENVELOPE_BYTES = 48

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
  /** The caller asked for retry on host loss (docs/protocol.md#retry-on-host-loss, `sendCommand(cmd, {retry})`). */
  readonly retry: boolean
  /** Writes started so far (each to a host, with its own `seq`). */
  attempts: number
  /**
   * Going again after its host was lost with it in flight (docs/protocol.md#retry-on-host-loss): it goes ahead of the buffer and
   * never counts toward its capacity. Not set for a frame whose write merely failed.
   */
  isHostLossRetry: boolean
}

/** A raw event queued on a writer (events are never buffered). */
export interface OutboundEvent {
  readonly type: 'event'
  readonly line: string
  /** The caller waiting for its write; none when the write completed before the call returned. */
  waiter: Deferred<void> | undefined
}

export type Outbound = OutboundCommand | OutboundEvent

/**
 * Serialises `cmd` once, for its whole way through the pipe. Returns a SERIALIZE HostPipeError
 * (never throws) when it does not serialise to a JSON object, or would make a frame over
 * MAX_FRAME_BYTES once enveloped. `ordinal` is its place in call order.
 */
export function createOutboundCommand(
  cmd: HostCommand,
  ordinal: number,
  noBuffer: boolean,
  retry = false,
): OutboundCommand | HostPipeError {
  let members: string | undefined
  try {
    members = encodeMembers(cmd)
  } catch (err) {
    return new HostPipeError('SERIALIZE', `command failed to serialise: ${String(err)}`, { cause: err })
  }
  if (members === undefined) return new HostPipeError('SERIALIZE', 'command must serialise to a JSON object')
  if (exceedsFrameLimit(members, MAX_FRAME_BYTES - ENVELOPE_BYTES))
    return new HostPipeError('SERIALIZE', 'command frame would exceed MAX_FRAME_BYTES')
  return {
    type: 'command',
    ordinal,
    cmd,
    members,
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
