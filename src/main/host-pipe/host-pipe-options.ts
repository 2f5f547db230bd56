import type { Clock } from '../base/clock'
import type { Logger } from '../base/logger'
import type { Event } from '../../shared/protocol'

/** Frames buffered while the host is away (or while `maxInFlight` commands await acks). */
export const PENDING_BUFFER_CAP = 64
/** How long buffered frames may wait for a host before their sagas are failed. */
export const DISCONNECT_TIMEOUT_MS = 30_000
/** Unacked commands allowed on the wire at once; more wait in the pending buffer. */
export const MAX_IN_FLIGHT = 1024

/** `saga_failed` reasons, as AgentMux spells them (observers filter on the `host pipe` prefix). */
export const REASON_OVERFLOW = 'host pipe backpressure overflow'
export const REASON_EXPIRED = 'host unreachable'
export const REASON_BEFORE_ACK = 'host disconnected before ack'
export const REASON_DISPOSED = 'host pipe disposed'
/** A retryable command in flight on every host it reached, each lost before its ack (docs/protocol.md#retry-on-host-loss). */
export const reasonLostWhileExecuting = (attempts: number): string =>
  `host lost while executing (${attempts} attempt${attempts === 1 ? '' : 's'})`

/** Attempts a retryable command gets, the first included (docs/protocol.md#retry-on-host-loss). */
export const DEFAULT_MAX_ATTEMPTS = 2

/** Per-frame options of `sendCommand`. */
export interface SendCommandOptions {
  /**
   * Retry on host loss (docs/protocol.md#retry-on-host-loss): if the host is lost with this command in flight (written,
   * not acked), it is sent again to the next host, with a fresh `seq`, ahead of everything
   * buffered, while it has attempts left (`maxAttempts`) and its `deadline` (epoch ms, if the
   * command has one) has not passed. Default false: at-most-once (HostPipe behaviour 8, docs/host-pipe.md#guarantees). Only for commands
   * that are safe to run twice: the host may have executed it before it was lost.
   */
  retry?: boolean
}

export interface HostPipeOptions {
  /**
   * Where `saga_failed` events go (a bus), called synchronously after `onDidFailSaga` has told the
   * pipe's owner. Leave it out when the owner decides and publishes saga outcomes itself (the
   * launcher's saga coordinator does): the pipe then only reports what became of its frames.
   */
  emit?(e: Event): void
  /** The bus's monotonic version counter, for the events given to `emit`. Required with `emit`. */
  nextVersion?(): number
  /** Default: the wall clock. */
  clock?: Clock
  /** Default: PENDING_BUFFER_CAP (64). */
  capacity?: number
  /** Default: DISCONNECT_TIMEOUT_MS (30 s). */
  disconnectTimeoutMs?: number
  /** Default: MAX_IN_FLIGHT (1024). */
  maxInFlight?: number
  /**
   * Commands that may wait in the pipe at once. When given, a connected pipe holds the commands
   * beyond `maxInFlight` without dropping any (the buffer's `capacity` and drop-oldest then apply
   * only while no host is connected, when the waiting commands become the outage buffer), and
   * `isQueueFull` says when this many wait. Default: none (commands beyond `maxInFlight` wait in
   * the buffer under its capacity, as the seed's pipe does).
   */
  maxQueued?: number
  /** Attempts for a command sent with `{retry: true}`, the first included. Default 2. */
  maxAttempts?: number
  /** The wall clock a command's `deadline` is in (epoch ms). Default Date.now. */
  wallNow?: () => number
  /** Default: silent. */
  log?: Logger
}

/** HostPipe failed a saga (and emitted its `saga_failed`): overflow, expiry, host gone before the ack. */
export interface SagaFailure {
  readonly sagaId: number
  readonly reason: string
}
