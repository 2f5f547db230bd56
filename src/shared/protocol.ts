/**
 * The hostpipe wire protocol: every frame that crosses the launcher ↔ host boundary, with the zod
 * schemas that validate it and the full parsers (docs/protocol.md). The types and encoders live in
 * `protocol-core.ts`, the feature names in `protocol-features.ts`, the name lists in
 * `protocol-names.ts` (all without zod); they are re-exported here, so this file stays the one
 * import for the protocol; a host process that must start fast imports the core and
 * `host-bound-fast.ts`, and loads this file later.
 *
 * Runtime-free: no Node, no DOM. Only `TextEncoder`/`TextDecoder` and zod.
 */
import { z } from 'zod'
import { provideZodForAgentMuxSchemas } from './agentmux-commands'
import {
  decodeObject,
  decodeText,
  describe,
  isWellFormed,
  hasOwn,
  HOT_INT,
  HOT_LABEL,
  parseObject,
  safeIntOf,
  unknownTag,
} from './frame-decoding'
import { ReceivedByteFrame, type InboundFrame } from './byte-frame'
import { parseHostBoundFast } from './host-bound-fast'
import {
  MAX_FRAME_BYTES,
  type Command,
  type CommandName,
  type ControlCommand,
  type CustomCommand,
  type CustomCommandNames,
  type Event,
  type EventName,
  type HostBound,
  type HostInbound,
  type HostInboundName,
  type ParseResult,
} from './protocol-core'
import { COMMAND_NAMES, CONTROL_COMMAND_NAMES, EVENT_NAMES, HOST_INBOUND_NAMES } from './protocol-names'

export * from './protocol-core'
export * from './protocol-features'
export * from './protocol-names'

// The AgentMux command definitions build their schemas with this module's zod, on first read.
provideZodForAgentMuxSchemas(z)

// ---------------------------------------------------------------------------------------------
// Schemas. Every inbound frame goes through these; the types in protocol-core.ts are the
// documentation, the `satisfies` checks below keep the two in step.

/**
 * Builds the schemas, once, on the first parse that needs them: building them costs more than
 * 10 ms, which a process that imports the protocol but has not parsed anything yet (a host
 * before it registers, an app importing `defineCommands`) should not pay.
 */
function buildSchemas() {
  const nonNegInt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
  const positiveInt = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)
  // Any JSON value, but present: a frame without it is refused as "missing field".
  const present = z.custom<unknown>((value) => value !== undefined)
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
    report_pool_window_added: z.object({
      cmd: z.literal('report_pool_window_added'),
      label,
      saga_id: sagaId,
    }),
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
      seq: nonNegInt.optional(),
    }),
    // `output` is checked against the command's own schema by whoever called it.
    report_result: z.object({
      cmd: z.literal('report_result'),
      saga_id: sagaId,
      output: z.unknown(),
      seq: nonNegInt.optional(),
    }),
    // `value`, `chunk` and `payload` are checked against the app's own schemas by the launcher.
    report_progress: z.object({ cmd: z.literal('report_progress'), saga_id: sagaId, value: present }),
    report_chunk: z.object({ cmd: z.literal('report_chunk'), saga_id: sagaId, chunk: present }),
    report_event: z.object({
      cmd: z.literal('report_event'),
      name: z.string().min(1).max(64),
      payload: present,
    }),
    report_ui_thread_alive: z.object({ cmd: z.literal('report_ui_thread_alive'), nonce: nonNegInt }),
    report_main_thread: z.object({ cmd: z.literal('report_main_thread'), blocked_ms: nonNegInt }),
    ping: z.object({ cmd: z.literal('ping'), nonce: nonNegInt }),
    goodbye: z.object({ cmd: z.literal('goodbye'), exit_code: z.number().int().optional() }),
  } satisfies { [K in HostInboundName]: z.ZodType<Extract<HostInbound, { cmd: K }>, unknown> }

  const deadline = nonNegInt.optional()
  const commandSchemas = {
    spawn_pool_window: z.object({
      cmd: z.literal('spawn_pool_window'),
      saga_id: sagaId.optional(),
      deadline,
    }),
    reap_panes: z.object({ cmd: z.literal('reap_panes'), label, saga_id: sagaId.optional(), deadline }),
    drain_pool_if_last: z.object({
      cmd: z.literal('drain_pool_if_last'),
      label,
      saga_id: sagaId.optional(),
      deadline,
    }),
    probe_ui_thread: z.object({ cmd: z.literal('probe_ui_thread'), nonce: nonNegInt }),
  } satisfies { [K in CommandName]: z.ZodType<Extract<Command, { cmd: K }>, unknown> }

  const controlSchemas = {
    probe_ui_thread: commandSchemas.probe_ui_thread,
    cancel_saga: z.object({ cmd: z.literal('cancel_saga'), saga_id: sagaId }),
    stream_credit: z.object({ cmd: z.literal('stream_credit'), saga_id: sagaId, credit: positiveInt }),
  } satisfies { [K in ControlCommand['cmd']]: z.ZodType<Extract<ControlCommand, { cmd: K }>, unknown> }

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
      unresponsive_ms: nonNegInt.optional(),
      max_payload_bytes: nonNegInt.optional(),
      stream_window: positiveInt.optional(),
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

  const seqSchema = z.object({ seq: nonNegInt })

  /** The envelope fields of an app-defined command; its input fields are checked by its own schema. */
  const customCommandSchema = z.looseObject({
    cmd: z.string(),
    saga_id: sagaId.optional(),
    deadline,
  }) as z.ZodType<CustomCommand, unknown>

  return {
    hostInbound: hostInboundSchemas,
    command: commandSchemas,
    control: controlSchemas,
    event: eventSchemas,
    seq: seqSchema,
    customCommand: customCommandSchema,
  }
}

let builtSchemas: ReturnType<typeof buildSchemas> | undefined
const schemas = (): ReturnType<typeof buildSchemas> => (builtSchemas ??= buildSchemas())

// ---------------------------------------------------------------------------------------------
// Decoding.

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

function validate<T>(schema: z.ZodType<T, unknown>, obj: Record<string, unknown>): ParseResult<T> {
  const parsed = schema.safeParse(obj)
  if (parsed.success) return { ok: true, frame: parsed.data }
  const messages = parsed.error.issues.slice(0, 3).map((issue) => fieldMessage(issue, obj))
  return { ok: false, code: 'invalid_command', message: messages.join('; ') }
}

/**
 * Parses one host → launcher frame (a line without its `\n`, or its bytes). Never throws.
 * Checks, in order: size (`frame_too_large`), then UTF-8, JSON, object, known `cmd` and fields
 * (`invalid_command`, with a message naming what was wrong). `maxFrameBytes`: the connection's
 * cap, MAX_FRAME_BYTES unless the host learned a larger one (`frameLimitFor`).
 */
export function parseHostInbound(
  input: InboundFrame,
  maxFrameBytes: number = MAX_FRAME_BYTES,
): ParseResult<HostInbound> {
  let parsed: ParseResult<Record<string, unknown>>
  if (input instanceof ReceivedByteFrame) parsed = decodeObject(input, 'cmd', maxFrameBytes)
  else {
    const decoded = decodeText(input, maxFrameBytes)
    if (!decoded.ok) return decoded
    const hot = parseHotFrame(decoded.frame)
    if (hot) return { ok: true, frame: hot }
    parsed = parseObject(decoded.frame, 'cmd')
  }
  if (!parsed.ok) return parsed
  const name = parsed.frame.cmd as string
  const { hostInbound } = schemas()
  if (!hasOwn(hostInbound, name)) return unknownTag('cmd', name, HOST_INBOUND_NAMES)
  return validate(hostInbound[name as HostInboundName] as z.ZodType<HostInbound, unknown>, parsed.frame)
}

// The frames a busy host sends for every command (its ack and its report), in the exact text
// `JSON.stringify` gives them with the host's key order and a plain label. Recognising that text
// skips JSON.parse and the schema, which were most of the launcher's cost per command. The patterns
// accept only what the schema accepts (labels of 1–256 plain characters, integers checked against
// MAX_SAFE_INTEGER by safeIntOf); any other spelling of the same frame takes the full path, so the result
// never depends on which path ran (test/protocol/hot-frames.property.test.ts).
const HOT_ACK = new RegExp(`^\\{"cmd":"ack","seq":${HOT_INT}\\}$`)
const HOT_REPORT = new RegExp(
  `^\\{"cmd":"(report_pool_window_added|report_panes_reaped)","label":"${HOT_LABEL}","saga_id":${HOT_INT}\\}$`,
)
const HOT_DRAIN = new RegExp(
  `^\\{"cmd":"report_pool_drain_decision","label":"${HOT_LABEL}","was_last":(true|false),"saga_id":${HOT_INT}\\}$`,
)

// A call's report, and a stream's chunk or progress value, in the host's own key order. JSON.parse
// stays (the output is any JSON), but the fields are checked by hand instead of JSON.parse's
// reviver-free walk for lone surrogates and the schema. Any `\u` escape (a lone surrogate could
// hide there), an extra key or a field the schema would refuse takes the full path, so the result
// never depends on which path ran.
const HOT_RESULT_HEAD = '{"cmd":"report_result","saga_id":'
const HOT_FAILED_HEAD = '{"cmd":"report_saga_action_failed","saga_id":'
const HOT_CHUNK_HEAD = '{"cmd":"report_chunk","saga_id":'
const HOT_PROGRESS_HEAD = '{"cmd":"report_progress","saga_id":'
const REASON_MAX_CHARS = 4096

/** The one field beside `cmd`, `saga_id` and (on reports only) `seq` that each hot frame carries. */
const HOT_BODY_KEY: Readonly<Record<string, string>> = {
  report_result: 'output',
  report_saga_action_failed: 'reason',
  report_chunk: 'chunk',
  report_progress: 'value',
}

function parseHotReport(text: string): HostInbound | undefined {
  if (text.includes('\\u') || !isWellFormed(text)) return undefined
  let obj: Record<string, unknown>
  try {
    obj = JSON.parse(text) as Record<string, unknown>
  } catch {
    return undefined
  }
  const cmd = obj.cmd
  const bodyKey = typeof cmd === 'string' && hasOwn(HOT_BODY_KEY, cmd) ? HOT_BODY_KEY[cmd] : undefined
  if (bodyKey === undefined) return undefined
  const isReport = cmd === 'report_result' || cmd === 'report_saga_action_failed'
  let keys = 0
  for (const key in obj) {
    keys++
    if (key !== 'cmd' && key !== 'saga_id' && key !== bodyKey && (key !== 'seq' || !isReport))
      return undefined
  }
  const { saga_id, seq } = obj
  if (!isSafeNonNegInt(saga_id) || (seq !== undefined && !isSafeNonNegInt(seq))) return undefined
  if (keys !== (seq === undefined ? 3 : 4) || obj[bodyKey] === undefined) return undefined
  if (cmd === 'report_saga_action_failed') {
    const reason = obj.reason
    if (typeof reason !== 'string' || reason.length > REASON_MAX_CHARS) return undefined
  }
  return obj as unknown as HostInbound
}

function isSafeNonNegInt(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER
  )
}

function parseHotFrame(text: string): HostInbound | undefined {
  if (text.charCodeAt(0) !== 0x7b) return undefined
  if (
    text.startsWith(HOT_RESULT_HEAD) ||
    text.startsWith(HOT_FAILED_HEAD) ||
    text.startsWith(HOT_CHUNK_HEAD) ||
    text.startsWith(HOT_PROGRESS_HEAD)
  )
    return parseHotReport(text)
  if (text.length > 400) return undefined
  let m = HOT_ACK.exec(text)
  if (m) {
    const seq = safeIntOf(m[1])
    return seq === undefined ? undefined : { cmd: 'ack', seq }
  }
  m = HOT_REPORT.exec(text)
  if (m) {
    const saga_id = safeIntOf(m[3])
    if (saga_id === undefined) return undefined
    const cmd = m[1] as 'report_pool_window_added' | 'report_panes_reaped'
    return { cmd, label: m[2]!, saga_id }
  }
  m = HOT_DRAIN.exec(text)
  if (m) {
    const saga_id = safeIntOf(m[3])
    if (saga_id === undefined) return undefined
    return { cmd: 'report_pool_drain_decision', label: m[1]!, was_last: m[2] === 'true', saga_id }
  }
  return undefined
}

/**
 * Parses one launcher → host line, as a host does. Never throws. `customNames`: the app-defined
 * commands (docs/embedding.md) this host accepts beside the built-in ones, or `'any'` for every name; their
 * envelope (`saga_id`, `deadline`) is checked here, their input by the host's own schemas.
 *
 * Well-formed frames of the shapes a host reads most are recognised without zod
 * (`parseHostBoundFast`); everything else, and every error, comes from the schemas
 * (`parseHostBoundBySchema`). Both give the same result for every line.
 */
export function parseHostBound(
  input: InboundFrame,
  customNames?: CustomCommandNames,
): ParseResult<HostBound> {
  const fast = parseHostBoundFast(input, customNames)
  return fast ? { ok: true, frame: fast } : parseHostBoundBySchema(input, customNames)
}

/**
 * `parseHostBound` through the zod schemas only: the reference the fast path is tested against,
 * and what a host falls back to for a frame the fast path does not recognise. Never throws.
 */
export function parseHostBoundBySchema(
  input: InboundFrame,
  customNames?: CustomCommandNames,
  maxFrameBytes: number = MAX_FRAME_BYTES,
): ParseResult<HostBound> {
  const asObject = decodeObject(input, 'kind', maxFrameBytes)
  // Raw events have no `kind`; re-decode by their own tag.
  if (!asObject.ok && asObject.code === 'invalid_command' && asObject.message.startsWith('missing field')) {
    const raw = decodeObject(input, 'event', maxFrameBytes)
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
  const { seq: seqSchema, command: commandSchemas, customCommand } = schemas()
  const seq = validate(seqSchema, obj)
  if (!seq.ok) return seq
  const { kind: _kind, seq: _seq, ...cmd } = obj
  if (typeof cmd.cmd !== 'string')
    return { ok: false, code: 'invalid_command', message: 'missing field `cmd`' }
  if (!hasOwn(commandSchemas, cmd.cmd)) {
    if (customNames !== 'any' && !customNames?.has(cmd.cmd))
      return unknownTag('cmd', cmd.cmd, [...COMMAND_NAMES, ...(customNames ?? [])])
    const custom = validate(customCommand, cmd)
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
  const controlSchemas = schemas().control
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
  const eventSchemas = schemas().event
  if (!hasOwn(eventSchemas, name)) return unknownTag('event', name, EVENT_NAMES)
  const parsed = validate(eventSchemas[name as EventName] as z.ZodType<Event, unknown>, obj)
  if (!parsed.ok) return parsed
  return { ok: true, frame: { kind: 'event', event: parsed.frame } }
}
