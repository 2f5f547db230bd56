/**
 * The names a host may announce in `register.features`, and what the launcher concludes from them.
 * Apart from the frame types because a call never reads them: they are negotiated once, when a
 * host registers (docs/protocol.md#features). Runtime-free, no zod.
 */

/** `register.features`: the host acks commands (docs/protocol.md). */
export const FEATURE_ACK = 'ack'
/** `register.features`: the host honours `deadline` and `cancel_saga` (docs/protocol.md#deadlines). */
export const FEATURE_DEADLINE = 'deadline'
/**
 * `register.features` (with `ack`): the host confirms each command on its own. An `ack{seq}`
 * acknowledges that command alone, a `report_result` or `report_saga_action_failed` carrying
 * `seq` is also its command's ack (no separate ack follows), and commands may complete in any
 * order (docs/protocol.md#acks).
 */
export const FEATURE_PER_CALL_ACK = 'per_call_ack'
/**
 * `register.features`: the host wants the launcher's bus events (`saga_started`, …) copied to it.
 * A host announcing none of hostpipe's features is an AgentMux host and gets them as the seed's
 * fanout does; any other host gets them only if it asks with this feature, so no host parses
 * traffic it would discard (docs/protocol.md#features).
 */
export const FEATURE_BUS_EVENTS = 'bus_events'
/**
 * `register.features`: a worker thread of the host watches its main thread's event loop and,
 * while that loop is blocked, sends `report_main_thread{blocked_ms}` on its own, so a host busy
 * in synchronous work is told apart from a hung one (docs/protocol.md#liveness).
 */
export const FEATURE_LIVENESS_WORKER = 'liveness_worker'
/**
 * `register.features`: the host sends progress, stream chunks and events (`report_progress`,
 * `report_chunk`, `report_event`) and paces a stream's chunks by the launcher's credit
 * (`registered.stream_window`, then `stream_credit`); docs/protocol.md#streams.
 */
export const FEATURE_STREAMS = 'streams'
/**
 * `register.features`: a `Uint8Array` anywhere in an input, output, progress value, chunk or
 * event payload travels as raw bytes in a byte frame (docs/protocol.md#byte-frames), each way,
 * once the launcher answered `registered` with `max_payload_bytes`. Frames without bytes stay
 * NDJSON lines.
 */
export const FEATURE_BYTES = 'bytes'
/** The features hostpipe added to the AgentMux `register`; a host naming none of them is AgentMux's. */
export const HOSTPIPE_FEATURES: ReadonlySet<string> = new Set([
  FEATURE_ACK,
  FEATURE_DEADLINE,
  FEATURE_BUS_EVENTS,
  FEATURE_LIVENESS_WORKER,
  FEATURE_STREAMS,
  FEATURE_BYTES,
])

/** Whether a host that registered with `features` gets the launcher's bus events. */
export function wantsBusEvents(features: readonly string[]): boolean {
  return features.includes(FEATURE_BUS_EVENTS) || !features.some((f) => HOSTPIPE_FEATURES.has(f))
}
