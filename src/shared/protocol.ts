/**
 * The hostpipe wire protocol: every frame that crosses the launcher ↔ host boundary, in one file.
 *
 * One JSON object per frame; on a byte stream frames are NDJSON (UTF-8, one line, `\n`-terminated).
 * Field names are the wire's own (snake_case) so there is no mapping layer. Compatible with
 * AgentMux's launcher: `seq` on command frames and `token` on `register` are our additions.
 *
 * Runtime-free: no Node, no DOM. Only `TextEncoder`/`TextDecoder` and zod.
 */
import { z } from 'zod'

/** A frame (one line, without its `\n`) longer than this is refused, never buffered. */
export const MAX_FRAME_BYTES = 1024 * 1024

// ---------------------------------------------------------------------------------------------
// Host-bound commands (launcher → host), tagged by `cmd`.

/**
 * `saga_id` 0 or absent means "no saga". `deadline` (ARCHITECTURE §8, optional, so AgentMux hosts
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
 * A command an embedding app defined with `defineCommands` (ARCHITECTURE §9): its input fields
 * travel flattened beside `cmd`, `saga_id` and `deadline`, as AgentMux's own commands carry
 * `label`. Kept out of the `Command` union so that union stays discriminated by its literal tags.
 */
export interface CustomCommand {
  cmd: string
  saga_id?: number
  deadline?: number
  [field: string]: unknown
}
/** Any command HostPipe can carry: a built-in one or an app-defined one. */
export type HostCommand = Command | CustomCommand

/**
 * A launcher → host frame outside the command sequence (§8): no `seq`, never buffered, never
 * acked. `probe_ui_thread` asks whether the host's event loop runs; `cancel_saga` (hosts with
 * feature `"deadline"` only) skips a queued command of the saga and fires a running handler's
 * abort signal. On the wire: `{"kind":"command","cmd":"cancel_saga","saga_id":N}`.
 */
export interface CancelSaga {
  cmd: 'cancel_saga'
  saga_id: number
}
export type ControlCommand = ProbeUiThread | CancelSaga

/** `register.features`: the host acks commands (§2). */
export const FEATURE_ACK = 'ack'
/** `register.features`: the host honours `deadline` and `cancel_saga` (§8). */
export const FEATURE_DEADLINE = 'deadline'
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
      // An app-defined command (§9) belongs to the saga its `saga_id` names, as the built-ins do.
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
/** A control command in the command envelope, without `seq` (§8). */
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
   * `standby` (optional, ARCHITECTURE §8): a warm standby host, spawned with
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
}
/** The output of an app-defined command (§9): `output` is what its handler returned. */
export interface ReportResult {
  cmd: 'report_result'
  saga_id: number
  output: unknown
}
export interface ReportUiThreadAlive {
  cmd: 'report_ui_thread_alive'
  nonce: number
}
export interface Ping {
  cmd: 'ping'
  nonce: number
}
export interface Goodbye {
  cmd: 'goodbye'
}
export type HostInbound =
  | Register
  | Ack
  | ReportPoolWindowAdded
  | ReportPanesReaped
  | ReportPoolDrainDecision
  | ReportSagaActionFailed
  | ReportResult
  | ReportUiThreadAlive
  | Ping
  | Goodbye
export type HostInboundName = HostInbound['cmd']

/** The reports that close a saga. */
export type SagaReport =
  ReportPoolWindowAdded | ReportPanesReaped | ReportPoolDrainDecision | ReportSagaActionFailed | ReportResult

// ---------------------------------------------------------------------------------------------
// Schemas. Every inbound frame goes through these; the types above are the documentation, the
// `satisfies` checks below keep the two in step.

const nonNegInt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
const sagaId = nonNegInt
const label = z.string().min(1).max(256)

const hostInboundSchemas = {
  register: z.object({
    cmd: z.literal('register'),
    kind: z.enum(['host', 'tool']),
    pid: nonNegInt,
    version: z.string().max(256),
    token: z.string().max(1024),
    features: z.array(z.string().max(64)).max(64).default([]),
    spawn_id: z.string().max(128).optional(),
    role: z.literal('standby').optional(),
  }),
  ack: z.object({ cmd: z.literal('ack'), seq: nonNegInt }),
  report_pool_window_added: z.object({ cmd: z.literal('report_pool_window_added'), label, saga_id: sagaId }),
  report_panes_reaped: z.object({ cmd: z.literal('report_panes_reaped'), label, saga_id: sagaId }),
  report_pool_drain_decision: z.object({
    cmd: z.literal('report_pool_drain_decision'),
    label,
    was_last: z.boolean(),
    saga_id: sagaId,
  }),
  report_saga_action_failed: z.object({
    cmd: z.literal('report_saga_action_failed'),
    saga_id: sagaId,
    reason: z.string().max(4096),
  }),
  // `output` is checked against the command's own schema by whoever called it (§9).
  report_result: z.object({ cmd: z.literal('report_result'), saga_id: sagaId, output: z.unknown() }),
  report_ui_thread_alive: z.object({ cmd: z.literal('report_ui_thread_alive'), nonce: nonNegInt }),
  ping: z.object({ cmd: z.literal('ping'), nonce: nonNegInt }),
  goodbye: z.object({ cmd: z.literal('goodbye') }),
} satisfies { [K in HostInboundName]: z.ZodType<Extract<HostInbound, { cmd: K }>, unknown> }

/** Every `cmd` a host or tool may send, in the order error messages list them. */
export const HOST_INBOUND_NAMES = Object.keys(hostInboundSchemas) as HostInboundName[]

const deadline = nonNegInt.optional()
const commandSchemas = {
  spawn_pool_window: z.object({ cmd: z.literal('spawn_pool_window'), saga_id: sagaId.optional(), deadline }),
  reap_panes: z.object({ cmd: z.literal('reap_panes'), label, saga_id: sagaId.optional(), deadline }),
  drain_pool_if_last: z.object({
    cmd: z.literal('drain_pool_if_last'),
    label,
    saga_id: sagaId.optional(),
    deadline,
  }),
  probe_ui_thread: z.object({ cmd: z.literal('probe_ui_thread'), nonce: nonNegInt }),
} satisfies { [K in CommandName]: z.ZodType<Extract<Command, { cmd: K }>, unknown> }

export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[]

const controlSchemas = {
  probe_ui_thread: commandSchemas.probe_ui_thread,
  cancel_saga: z.object({ cmd: z.literal('cancel_saga'), saga_id: sagaId }),
} satisfies { [K in ControlCommand['cmd']]: z.ZodType<Extract<ControlCommand, { cmd: K }>, unknown> }

/** The commands that may travel without `seq` (§8). */
export const CONTROL_COMMAND_NAMES = Object.keys(controlSchemas) as Array<ControlCommand['cmd']>

const errorCode = z.enum([
  'invalid_command',
  'not_registered',
  'already_registered',
  'unauthorized',
  'frame_too_large',
])
const v = { version: nonNegInt }
const eventSchemas = {
  registered: z.object({
    event: z.literal('registered'),
    client_id: nonNegInt,
    launcher_pid: nonNegInt,
    launcher_version: z.string(),
    ...v,
  }),
  saga_started: z.object({ event: z.literal('saga_started'), saga_id: sagaId, name: z.string(), ...v }),
  saga_completed: z.object({ event: z.literal('saga_completed'), saga_id: sagaId, ...v }),
  saga_failed: z.object({ event: z.literal('saga_failed'), saga_id: sagaId, reason: z.string(), ...v }),
  pool_window_added: z.object({ event: z.literal('pool_window_added'), label, saga_id: sagaId, ...v }),
  panes_reaped: z.object({ event: z.literal('panes_reaped'), label, saga_id: sagaId, ...v }),
  pool_drained: z.object({ event: z.literal('pool_drained'), label, saga_id: sagaId, ...v }),
  pool_not_last: z.object({ event: z.literal('pool_not_last'), label, saga_id: sagaId, ...v }),
  pong: z.object({ event: z.literal('pong'), nonce: nonNegInt, ...v }),
  error: z.object({
    event: z.literal('error'),
    code: errorCode,
    message: z.string(),
    fatal: z.boolean(),
    ...v,
  }),
} satisfies { [K in EventName]: z.ZodType<Extract<Event, { event: K }>, unknown> }

export const EVENT_NAMES = Object.keys(eventSchemas) as EventName[]

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
 * Wraps an already-encoded command (`JSON.stringify(cmd)`) in the HostFrame envelope. HostPipe
 * encodes each command once, when it is sent, and only prefixes the envelope at write time (the
 * `seq` is assigned then), so a buffered frame is never serialised twice.
 */
export function encodeCommandFrame(seq: number, encodedCommand: string): string {
  return '{"kind":"command","seq":' + seq + ',' + encodedCommand.slice(1)
}

/** A control frame: the command envelope without `seq` (§8), e.g. `{"kind":"command","cmd":"cancel_saga","saga_id":3}`. */
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
// Decoding.

export type ParseError = { ok: false; code: 'invalid_command' | 'frame_too_large'; message: string }
export type ParseResult<T> = { ok: true; frame: T } | ParseError

const utf8Decoder = new TextDecoder('utf-8', { fatal: true })
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

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') {
    const shown = value.length > 40 ? value.slice(0, 40) + '…' : value
    return JSON.stringify(shown)
  }
  if (typeof value === 'object') return 'an object'
  return String(value)
}

function fieldMessage(issue: z.core.$ZodIssue, input: Record<string, unknown>): string {
  const path = issue.path.map(String).join('.')
  if (path === '') return issue.message
  let got: unknown = input
  for (const key of issue.path) got = (got as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey]
  const name = '`' + path + '`'
  if (got === undefined) return `missing field ${name}`
  switch (issue.code) {
    case 'invalid_type':
      return `${name} must be ${article(issue.expected)}, got ${describe(got)}`
    case 'too_small':
    case 'too_big':
    case 'invalid_value':
    case 'invalid_format':
      return `${name} is invalid (${issue.message.toLowerCase()}), got ${describe(got)}`
    default:
      return `${name}: ${issue.message}, got ${describe(got)}`
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer'
  if (expected === 'array' || expected === 'object') return 'an ' + expected
  return 'a ' + expected
}

/** Checks the size, and decodes bytes as strict UTF-8. */
function decodeText(input: string | Uint8Array): ParseResult<string> {
  if (typeof input === 'string') {
    if (exceedsFrameLimit(input))
      return { ok: false, code: 'frame_too_large', message: `frame exceeds ${MAX_FRAME_BYTES} bytes` }
    return { ok: true, frame: input }
  }
  if (input.byteLength > MAX_FRAME_BYTES)
    return {
      ok: false,
      code: 'frame_too_large',
      message: `frame of ${input.byteLength} bytes exceeds ${MAX_FRAME_BYTES} bytes`,
    }
  try {
    return { ok: true, frame: utf8Decoder.decode(input) }
  } catch {
    return { ok: false, code: 'invalid_command', message: 'frame is not valid UTF-8' }
  }
}

/** Decodes bytes (strict UTF-8) or a string into a JSON object with a string tag, or an error. */
function decodeObject(
  input: string | Uint8Array,
  tag: 'cmd' | 'event' | 'kind',
): ParseResult<Record<string, unknown>> {
  const decoded = decodeText(input)
  if (!decoded.ok) return decoded
  return parseObject(decoded.frame, tag)
}

/** `String.prototype.isWellFormed` (ES2024: Node 20, Chromium 111); this project's lib is ES2022. */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed()

/**
 * The first string (value or key) in a decoded JSON value that is not well-formed UTF-16 (it
 * holds a lone surrogate, which JSON can spell as `\ud800`), as a path for the error message;
 * undefined when every string is well-formed. Iterative, so deep nesting cannot overflow the stack.
 */
function findMalformedString(root: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value: root, path: '' }]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item
    if (typeof value === 'string') {
      if (!isWellFormed(value)) return path === '' ? 'the frame' : '`' + path + '`'
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], path: path === '' ? String(i) : `${path}.${i}` })
    } else if (typeof value === 'object' && value !== null) {
      const keys = Object.keys(value)
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!
        if (!isWellFormed(key)) return `a key in ${path === '' ? 'the frame' : '`' + path + '`'}`
        stack.push({
          value: (value as Record<string, unknown>)[key],
          path: path === '' ? key : `${path}.${key}`,
        })
      }
    }
  }
  return undefined
}

function parseObject(text: string, tag: 'cmd' | 'event' | 'kind'): ParseResult<Record<string, unknown>> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return {
      ok: false,
      code: 'invalid_command',
      message: `frame is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    }
  }
  // A lone surrogate cannot be encoded as UTF-8: refused as malformed bytes are, so whatever a
  // consumer in another language re-encodes from our events is valid UTF-8.
  const malformed = findMalformedString(value)
  if (malformed !== undefined)
    return {
      ok: false,
      code: 'invalid_command',
      message: `frame is not valid UTF-8: ${malformed} holds a lone surrogate (a \\uD800-\\uDFFF escape without its pair)`,
    }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      ok: false,
      code: 'invalid_command',
      message: `frame must be a JSON object, got ${describe(value)}`,
    }
  const obj = value as Record<string, unknown>
  if (typeof obj[tag] !== 'string')
    return {
      ok: false,
      code: 'invalid_command',
      message:
        obj[tag] === undefined
          ? `missing field \`${tag}\``
          : `\`${tag}\` must be a string, got ${describe(obj[tag])}`,
    }
  return { ok: true, frame: obj }
}

function validate<T>(schema: z.ZodType<T, unknown>, obj: Record<string, unknown>): ParseResult<T> {
  const parsed = schema.safeParse(obj)
  if (parsed.success) return { ok: true, frame: parsed.data }
  const messages = parsed.error.issues.slice(0, 3).map((issue) => fieldMessage(issue, obj))
  return { ok: false, code: 'invalid_command', message: messages.join('; ') }
}

function unknownTag(tag: string, got: string, known: readonly string[]): ParseError {
  return {
    ok: false,
    code: 'invalid_command',
    message: `unknown ${tag} ${describe(got)}; expected one of ${known.join(', ')}`,
  }
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

/**
 * Parses one host → launcher frame (a line without its `\n`, or its bytes). Never throws.
 * Checks, in order: size (`frame_too_large`), then UTF-8, JSON, object, known `cmd` and fields
 * (`invalid_command`, with a message naming what was wrong).
 */
export function parseHostInbound(input: string | Uint8Array): ParseResult<HostInbound> {
  const decoded = decodeText(input)
  if (!decoded.ok) return decoded
  const hot = parseHotFrame(decoded.frame)
  if (hot) return { ok: true, frame: hot }
  const parsed = parseObject(decoded.frame, 'cmd')
  if (!parsed.ok) return parsed
  const name = parsed.frame.cmd as string
  if (!hasOwn(hostInboundSchemas, name)) return unknownTag('cmd', name, HOST_INBOUND_NAMES)
  return validate(
    hostInboundSchemas[name as HostInboundName] as z.ZodType<HostInbound, unknown>,
    parsed.frame,
  )
}

// The frames a busy host sends for every command (its ack and its report), in the exact text
// `JSON.stringify` gives them with the host's key order and a plain label. Recognising that text
// skips JSON.parse and the schema, which were most of the launcher's cost per command. The patterns
// accept only what the schema accepts (labels of 1–256 plain characters, integers checked against
// MAX_SAFE_INTEGER below); any other spelling of the same frame takes the full path, so the result
// never depends on which path ran (test/protocol/hot-frames.property.test.ts).
const INT = '(0|[1-9][0-9]{0,15})'
const PLAIN_LABEL = '([A-Za-z0-9_.:-]{1,256})'
const HOT_ACK = new RegExp(`^\\{"cmd":"ack","seq":${INT}\\}$`)
const HOT_REPORT = new RegExp(
  `^\\{"cmd":"(report_pool_window_added|report_panes_reaped)","label":"${PLAIN_LABEL}","saga_id":${INT}\\}$`,
)
const HOT_DRAIN = new RegExp(
  `^\\{"cmd":"report_pool_drain_decision","label":"${PLAIN_LABEL}","was_last":(true|false),"saga_id":${INT}\\}$`,
)

function safeInt(digits: string | undefined): number | undefined {
  const n = Number(digits)
  return n <= Number.MAX_SAFE_INTEGER ? n : undefined
}

function parseHotFrame(text: string): HostInbound | undefined {
  if (text.length > 400 || text.charCodeAt(0) !== 0x7b) return undefined
  let m = HOT_ACK.exec(text)
  if (m) {
    const seq = safeInt(m[1])
    return seq === undefined ? undefined : { cmd: 'ack', seq }
  }
  m = HOT_REPORT.exec(text)
  if (m) {
    const saga_id = safeInt(m[3])
    if (saga_id === undefined) return undefined
    const cmd = m[1] as 'report_pool_window_added' | 'report_panes_reaped'
    return { cmd, label: m[2]!, saga_id }
  }
  m = HOT_DRAIN.exec(text)
  if (m) {
    const saga_id = safeInt(m[3])
    if (saga_id === undefined) return undefined
    return { cmd: 'report_pool_drain_decision', label: m[1]!, was_last: m[2] === 'true', saga_id }
  }
  return undefined
}

/**
 * What a host reads from the launcher: an enveloped command, a control command (the envelope
 * without `seq`, §8), or a raw (or enveloped) event.
 */
export type HostBound =
  | { kind: 'command'; seq: number; command: HostCommand }
  | { kind: 'control'; command: ControlCommand }
  | { kind: 'event'; event: Event }

const seqSchema = z.object({ seq: nonNegInt })

/** The envelope fields of an app-defined command; its input fields are checked by its own schema. */
const customCommandSchema = z.looseObject({
  cmd: z.string(),
  saga_id: sagaId.optional(),
  deadline,
}) as z.ZodType<CustomCommand, unknown>

/**
 * Parses one launcher → host line, as a host does. Never throws. `customNames`: the app-defined
 * commands (§9) this host accepts beside the built-in ones; their envelope (`saga_id`,
 * `deadline`) is checked here, their input by the host's own schemas.
 */
export function parseHostBound(
  input: string | Uint8Array,
  customNames?: ReadonlySet<string>,
): ParseResult<HostBound> {
  const asObject = decodeObject(input, 'kind')
  // Raw events have no `kind`; re-decode by their own tag.
  if (!asObject.ok && asObject.code === 'invalid_command' && asObject.message.startsWith('missing field')) {
    const raw = decodeObject(input, 'event')
    if (!raw.ok) return raw
    return parseEventObject(raw.frame)
  }
  if (!asObject.ok) return asObject
  const obj = asObject.frame
  if (obj.kind === 'event') {
    const { kind: _kind, ...event } = obj
    if (typeof event.event !== 'string')
      return { ok: false, code: 'invalid_command', message: 'missing field `event`' }
    return parseEventObject(event)
  }
  if (obj.kind !== 'command') return unknownTag('kind', String(obj.kind), ['command', 'event'])
  if (obj.seq === undefined) return parseControlObject(obj)
  const seq = validate(seqSchema, obj)
  if (!seq.ok) return seq
  const { kind: _kind, seq: _seq, ...cmd } = obj
  if (typeof cmd.cmd !== 'string')
    return { ok: false, code: 'invalid_command', message: 'missing field `cmd`' }
  if (!hasOwn(commandSchemas, cmd.cmd)) {
    if (!customNames?.has(cmd.cmd))
      return unknownTag('cmd', cmd.cmd, [...COMMAND_NAMES, ...(customNames ?? [])])
    const custom = validate(customCommandSchema, cmd)
    if (!custom.ok) return custom
    return { ok: true, frame: { kind: 'command', seq: seq.frame.seq, command: custom.frame } }
  }
  const parsed = validate(commandSchemas[cmd.cmd as CommandName] as z.ZodType<Command, unknown>, cmd)
  if (!parsed.ok) return parsed
  return { ok: true, frame: { kind: 'command', seq: seq.frame.seq, command: parsed.frame } }
}

/** A command frame without `seq`: only the control commands may come that way. */
function parseControlObject(obj: Record<string, unknown>): ParseResult<HostBound> {
  const { kind: _kind, ...cmd } = obj
  if (typeof cmd.cmd !== 'string' || !hasOwn(controlSchemas, cmd.cmd))
    return {
      ok: false,
      code: 'invalid_command',
      message: `missing field \`seq\` (only ${CONTROL_COMMAND_NAMES.join(', ')} may come without one)`,
    }
  const name = cmd.cmd as ControlCommand['cmd']
  const parsed = validate(controlSchemas[name] as z.ZodType<ControlCommand, unknown>, cmd)
  if (!parsed.ok) return parsed
  return { ok: true, frame: { kind: 'control', command: parsed.frame } }
}

function parseEventObject(obj: Record<string, unknown>): ParseResult<HostBound> {
  const name = obj.event as string
  if (!hasOwn(eventSchemas, name)) return unknownTag('event', name, EVENT_NAMES)
  const parsed = validate(eventSchemas[name as EventName] as z.ZodType<Event, unknown>, obj)
  if (!parsed.ok) return parsed
  return { ok: true, frame: { kind: 'event', event: parsed.frame } }
}

/** Bytes of a line as sent on a stream, for transports that need them. */
export function encodeLine(frame: string): Uint8Array {
  return utf8Encoder.encode(frame + '\n')
}
