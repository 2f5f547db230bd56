/**
 * The hostpipe wire protocol without its schemas: every frame's type, the encoders and the size
 * rules (the feature names and the name lists sit beside it, in `protocol-features.ts` and
 * `protocol-names.ts`). `protocol.ts` re-exports all of it beside the zod schemas and the full
 * parsers; this half has no zod, so a host process can connect, register and read the frames it
 * gets most without loading zod at start-up (`fast-frames.ts`).
 *
 * One JSON object per frame; on a byte stream frames are NDJSON (UTF-8, one line, `\n`-terminated).
 * Field names are the wire's own (snake_case) so there is no mapping layer. Compatible with
 * AgentMux's launcher: `seq` on command frames and `token` on `register` are our additions.
 *
 * Runtime-free: no Node, no DOM, no zod. Only `TextEncoder`.
 */

/** A frame (one line, without its `\n`) longer than this is refused, never buffered. */
export const MAX_FRAME_BYTES = 1024 * 1024

/**
 * The launcher's default `maxPayloadBytes` (64 MiB): the most one input or output may take once
 * encoded, envelope included, with a host that announced hostpipe's features (docs/protocol.md#payload-size).
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024
/** The largest `maxPayloadBytes` accepted (256 MiB): a frame's JSON text must fit in one JS string. */
export const MAX_PAYLOAD_BYTES_LIMIT = 256 * 1024 * 1024
/** Slack over `maxPayloadBytes` a reader accepts for one frame: the sender's envelope is estimated. */
export const FRAME_ENVELOPE_ALLOWANCE = 4096

/**
 * The frame cap of a connection whose peer learned `maxPayloadBytes` at `register`: the payload
 * plus the envelope allowance, and never below MAX_FRAME_BYTES (the AgentMux frames keep theirs).
 */
export function frameLimitFor(maxPayloadBytes: number): number {
  return Math.max(MAX_FRAME_BYTES, maxPayloadBytes + FRAME_ENVELOPE_ALLOWANCE)
}

/** A byte count as messages show it: `1,048,576`. */
export function formatBytes(bytes: number): string {
  return bytes.toLocaleString('en-US')
}

// ---------------------------------------------------------------------------------------------
// Host-bound commands (launcher → host), tagged by `cmd`.

/**
 * `saga_id` 0 or absent means "no saga". `deadline` (docs/protocol.md#deadlines, optional, so AgentMux hosts
 * ignore it): wall-clock ms since the Unix epoch after which a host with feature `"deadline"` must
 * not start the command; only saga commands carry one.
 */
export interface SpawnPoolWindow {
  cmd: 'spawn_pool_window'
  saga_id?: number
  deadline?: number
}
export interface ReapPanes {
  cmd: 'reap_panes'
  label: string
  saga_id?: number
  deadline?: number
}
export interface DrainPoolIfLast {
  cmd: 'drain_pool_if_last'
  label: string
  saga_id?: number
  deadline?: number
}
export interface ProbeUiThread {
  cmd: 'probe_ui_thread'
  nonce: number
}
export type Command = SpawnPoolWindow | ReapPanes | DrainPoolIfLast | ProbeUiThread
export type CommandName = Command['cmd']

/**
 * A command an embedding app defined with `defineCommands` (docs/embedding.md): its input fields
 * travel flattened beside `cmd`, `saga_id` and `deadline`, as AgentMux's own commands carry
 * `label`. Kept out of the `Command` union so that union stays discriminated by its literal tags.
 */
export interface CustomCommand {
  cmd: string
  saga_id?: number
  deadline?: number
  [field: string]: unknown
}
/**
 * Which names a host parser reads as app-defined commands: a set of them, or `'any'` (every name
 * not built in, on a well-formed envelope: a host that answers the ones it does not define itself,
 * rather than have them refused as bad frames).
 */
export type CustomCommandNames = ReadonlySet<string> | 'any'

/** Any command HostPipe can carry: a built-in one or an app-defined one. */
export type HostCommand = Command | CustomCommand

/**
 * A launcher → host frame outside the command sequence (docs/protocol.md#control-frames): no `seq`, never buffered, never
 * acked. `probe_ui_thread` asks whether the host's event loop runs; `cancel_saga` (hosts with
 * feature `"deadline"` only) skips a queued command of the saga and fires a running handler's
 * abort signal. On the wire: `{"kind":"command","cmd":"cancel_saga","saga_id":N}`.
 */
export interface CancelSaga {
  cmd: 'cancel_saga'
  saga_id: number
}
/**
 * Hosts with feature `"streams"` only (docs/protocol.md#streams): the host may send `credit` (≥ 1)
 * more `report_chunk` frames for the saga, beyond what it was allowed so far. On the wire:
 * `{"kind":"command","cmd":"stream_credit","saga_id":N,"credit":K}`.
 */
export interface StreamCredit {
  cmd: 'stream_credit'
  saga_id: number
  credit: number
}
export type ControlCommand = ProbeUiThread | CancelSaga | StreamCredit

/** `registered.stream_window` when the launcher names none: chunks a stream may send before any credit. */
export const DEFAULT_STREAM_WINDOW = 16
/** `report_saga_action_failed.reason` of a command a deadline-aware host did not start in time. */
export const REASON_DEADLINE_EXCEEDED = 'deadline exceeded'
/** `report_saga_action_failed.reason` of a command skipped (or given up) on `cancel_saga`. */
export const REASON_CANCELLED = 'cancelled'

/** The saga a command belongs to, or undefined (no saga id, 0, or a command that has none). */
export function sagaIdOf(cmd: HostCommand): number | undefined {
  switch (cmd.cmd) {
    case 'spawn_pool_window':
    case 'reap_panes':
    case 'drain_pool_if_last':
      return cmd.saga_id ? cmd.saga_id : undefined
    case 'probe_ui_thread':
      return undefined
    default:
      // An app-defined command (docs/embedding.md) belongs to the saga its `saga_id` names, as the built-ins do.
      return positiveSagaId((cmd as CustomCommand).saga_id)
  }
}

function positiveSagaId(id: unknown): number | undefined {
  return typeof id === 'number' && id > 0 ? id : undefined
}

// ---------------------------------------------------------------------------------------------
// Events (launcher → host and → tools), tagged by `event`; each carries the launcher's `version`.

export type ErrorCode =
  'invalid_command' | 'not_registered' | 'already_registered' | 'unauthorized' | 'frame_too_large'

export type Event =
  | {
      event: 'registered'
      client_id: number
      launcher_pid: number
      launcher_version: string
      /**
       * The launcher's `unresponsiveMs` (optional), sent only to a host that announced
       * `liveness_worker` and only while liveness is on: how often its worker must speak while
       * the main thread is blocked (docs/protocol.md#liveness).
       */
      unresponsive_ms?: number
      /**
       * The launcher's `maxPayloadBytes` (optional), sent only to a host that announced hostpipe's
       * features: the most one output may take once encoded; frames up to
       * `frameLimitFor(max_payload_bytes)` are read both ways (docs/protocol.md#payload-size).
       */
      max_payload_bytes?: number
      /**
       * Sent only to a host that announced `streams`: how many chunks each stream may send before
       * its first `stream_credit` (optional; default {@link DEFAULT_STREAM_WINDOW}).
       */
      stream_window?: number
      version: number
    }
  | { event: 'saga_started'; saga_id: number; name: string; version: number }
  | { event: 'saga_completed'; saga_id: number; version: number }
  | { event: 'saga_failed'; saga_id: number; reason: string; version: number }
  | { event: 'pool_window_added'; label: string; saga_id: number; version: number }
  | { event: 'panes_reaped'; label: string; saga_id: number; version: number }
  | { event: 'pool_drained'; label: string; saga_id: number; version: number }
  | { event: 'pool_not_last'; label: string; saga_id: number; version: number }
  | { event: 'pong'; nonce: number; version: number }
  | { event: 'error'; code: ErrorCode; message: string; fatal: boolean; version: number }
export type EventName = Event['event']

// ---------------------------------------------------------------------------------------------
// The HostFrame envelope: launcher → host commands are wrapped, tag `kind`, flattened.
// Events are written raw (as the seed's `send_event_for_session` does); the `event` variant of
// the envelope exists for hosts that speak the enveloped form.

export type CommandFrame = { kind: 'command'; seq: number } & Command
export type EventFrame = { kind: 'event' } & Event
export type HostFrame = CommandFrame | EventFrame
/** A control command in the command envelope, without `seq` (docs/protocol.md#control-frames). */
export type ControlFrame = { kind: 'command' } & ControlCommand

// ---------------------------------------------------------------------------------------------
// Host → launcher frames, tagged by `cmd`.

export type ClientKind = 'host' | 'tool'

export interface Register {
  cmd: 'register'
  kind: ClientKind
  pid: number
  version: string
  token: string
  features: string[]
  /** HOSTPIPE_SPAWN_ID echoed back (optional): tells the launcher this is the process it spawned. */
  spawn_id?: string
  /**
   * `standby` (optional, docs/launcher.md): a warm standby host, spawned with
   * HOSTPIPE_ROLE=standby; it gets no commands until the launcher promotes it.
   */
  role?: 'standby'
}
export interface Ack {
  cmd: 'ack'
  seq: number
}
export interface ReportPoolWindowAdded {
  cmd: 'report_pool_window_added'
  label: string
  saga_id: number
}
export interface ReportPanesReaped {
  cmd: 'report_panes_reaped'
  label: string
  saga_id: number
}
export interface ReportPoolDrainDecision {
  cmd: 'report_pool_drain_decision'
  label: string
  was_last: boolean
  saga_id: number
}
export interface ReportSagaActionFailed {
  cmd: 'report_saga_action_failed'
  saga_id: number
  reason: string
  /** From a host with feature `per_call_ack`: the report is also the ack of this command. */
  seq?: number
}
/** The output of an app-defined command: `output` is what its handler returned. */
export interface ReportResult {
  cmd: 'report_result'
  saga_id: number
  output: unknown
  /** From a host with feature `per_call_ack`: the report is also the ack of this command. */
  seq?: number
}
/**
 * From a host with feature `streams`: a progress value of the saga's running handler
 * (`ctx.progress(value)`), checked by the command's `progress` schema. Sent before its report.
 */
export interface ReportProgress {
  cmd: 'report_progress'
  saga_id: number
  value: unknown
}
/**
 * From a host with feature `streams`: the next chunk a stream handler yielded, in order. Only as
 * many as the launcher's credit allows; the stream ends with the saga's `report_result` (the
 * generator's return value) or `report_saga_action_failed`.
 */
export interface ReportChunk {
  cmd: 'report_chunk'
  saga_id: number
  chunk: unknown
}
/** From a host with feature `streams`: an app event (`defineEvents`), `payload` checked by its schema. */
export interface ReportEvent {
  cmd: 'report_event'
  name: string
  payload: unknown
}
/** The frames a host sends beside its reports, under feature `streams`. */
export type StreamFrame = ReportProgress | ReportChunk | ReportEvent
export interface ReportUiThreadAlive {
  cmd: 'report_ui_thread_alive'
  nonce: number
}
/**
 * From a host with feature `liveness_worker`, written by its worker thread: the main thread's
 * event loop has not turned for `blocked_ms` ms (0: it turns again after such a report).
 */
export interface ReportMainThread {
  cmd: 'report_main_thread'
  blocked_ms: number
}
export interface Ping {
  cmd: 'ping'
  nonce: number
}
export interface Goodbye {
  cmd: 'goodbye'
  /** hostpipe's host, leaving because its process exits: the code it exits with. */
  exit_code?: number
}
export type HostInbound =
  | Register
  | Ack
  | ReportPoolWindowAdded
  | ReportPanesReaped
  | ReportPoolDrainDecision
  | ReportSagaActionFailed
  | ReportResult
  | ReportProgress
  | ReportChunk
  | ReportEvent
  | ReportUiThreadAlive
  | ReportMainThread
  | Ping
  | Goodbye
export type HostInboundName = HostInbound['cmd']

/** The reports that close a saga. */
export type SagaReport =
  ReportPoolWindowAdded | ReportPanesReaped | ReportPoolDrainDecision | ReportSagaActionFailed | ReportResult

// ---------------------------------------------------------------------------------------------
// Encoders. One frame, no trailing `\n` (the transport adds the terminator).

/** The JSON of a command frame with the envelope fields first, as AgentMux writes it. */
export function encodeHostFrame(frame: HostFrame): string {
  if (frame.kind === 'command') {
    const { kind: _kind, seq, ...cmd } = frame
    return encodeCommandFrame(seq, JSON.stringify(cmd))
  }
  const { kind: _kind, ...event } = frame
  return '{"kind":"event",' + JSON.stringify(event).slice(1)
}

/**
 * Wraps an already-encoded command (`JSON.stringify(cmd)`) in the HostFrame envelope: what a
 * hand-written client does. HostPipe encodes each command once, when it is sent, and only adds the
 * envelope at write time (the `seq` is assigned then), so a buffered frame is never serialised
 * twice; it keeps the members alone and uses `encodeCommandFrameMembers`.
 */
export function encodeCommandFrame(seq: number, encodedCommand: string): string {
  // `{}` has no member to put a comma before.
  if (encodedCommand.length === 2) return '{"kind":"command","seq":' + numberText(seq) + '}'
  return '{"kind":"command","seq":' + numberText(seq) + ',' + encodedCommand.slice(1)
}

/**
 * The HostFrame of a command from its members, each preceded by a comma, as `encodeFlatMembers`
 * gives them (`,"cmd":"reap_panes"`): `encodeCommandFrame(seq, JSON.stringify(cmd))` without the
 * slicing. What HostPipe writes.
 */
export function encodeCommandFrameMembers(seq: number, members: string): string {
  return '{"kind":"command","seq":' + numberText(seq) + members + '}'
}

/**
 * A finite number's JSON text, written by `JSON.stringify` rather than `'' + n`: V8 keeps each
 * number it turns into a string in JS in a cache that the young-generation collector treats as
 * live, so a string per call's `seq`, `saga_id` and input numbers would survive a scavenge and be
 * promoted (twice the promoted bytes per call, docs/benchmarks.md).
 */
function numberText(n: number): string {
  return JSON.stringify(n)
}

/** A control frame: the command envelope without `seq` (docs/protocol.md#control-frames), e.g. `{"kind":"command","cmd":"cancel_saga","saga_id":3}`. */
export function encodeControlFrame(cmd: ControlCommand): string {
  return '{"kind":"command",' + JSON.stringify(cmd).slice(1)
}

/** A raw event line (events travel without the envelope). */
export function encodeEvent(event: Event): string {
  return JSON.stringify(event)
}

/** A host → launcher line. */
export function encodeHostInbound(frame: HostInbound): string {
  return JSON.stringify(frame)
}

// ---------------------------------------------------------------------------------------------
// Decoding: the results and size rules every parser shares.

export type ParseError = { ok: false; code: 'invalid_command' | 'frame_too_large'; message: string }
export type ParseResult<T> = { ok: true; frame: T } | ParseError

const utf8Encoder = new TextEncoder()

/** UTF-8 byte length of a string, counted without allocating. */
export function utf8ByteLength(s: string): number {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}

/** True when `s` is longer than `limit` bytes once encoded as UTF-8. */
export function exceedsFrameLimit(s: string, limit: number = MAX_FRAME_BYTES): boolean {
  // Each UTF-16 unit is 1–3 UTF-8 bytes: only the ambiguous middle range needs counting.
  if (s.length > limit) return true
  if (s.length * 3 <= limit) return false
  return utf8ByteLength(s) > limit
}

/**
 * What a host reads from the launcher: an enveloped command, a control command (the envelope
 * without `seq`, docs/protocol.md#control-frames), or a raw (or enveloped) event.
 */
export type HostBound =
  | { kind: 'command'; seq: number; command: HostCommand }
  | { kind: 'control'; command: ControlCommand }
  | { kind: 'event'; event: Event }

/** Bytes of a line as sent on a stream, for transports that need them. */
export function encodeLine(frame: string): Uint8Array {
  return utf8Encoder.encode(frame + '\n')
}
