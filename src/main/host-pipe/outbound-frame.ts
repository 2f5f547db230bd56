import type { Command } from '../../shared/protocol'
import type { Deferred } from '../base/deferred'

/**
 * One host-bound command on its way: in the pending buffer, queued on a writer, or in flight.
 * The same object moves between those places, so nothing is serialised twice.
 */
export interface OutboundCommand {
  readonly type: 'command'
  /** Call order across the pipe's life: the pending buffer is kept sorted by it. */
  readonly ordinal: number
  readonly cmd: Command
  /** `JSON.stringify(cmd)`, computed once at send time. */
  readonly body: string
  readonly sagaId: number | undefined
  /** Fail-fast probe (`trySendCommandNoBuffer`): never buffered, never re-sent. */
  readonly noBuffer: boolean
  /** Assigned when its write starts (0 before): the `seq` of its HostFrame envelope. */
  seq: number
  /** The caller still waiting for this frame to be written. */
  waiter: Deferred<void> | undefined
  /** Its saga was already failed or cancelled: it will never be failed (again) or re-sent. */
  settled: boolean
  /** Part of a `setWriter` drain on this writer slot. */
  drainOf: object | undefined
}

/** A raw event queued on a writer (events are never buffered). */
export interface OutboundEvent {
  readonly type: 'event'
  readonly line: string
  readonly waiter: Deferred<void>
}

export type Outbound = OutboundCommand | OutboundEvent
