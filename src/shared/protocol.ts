/**
 * The hostpipe wire protocol: every frame that crosses the launcher ↔ host boundary, with the zod
 * schemas that validate it and the full parsers (docs/protocol.md). The types and encoders live in
 * `protocol-core.ts`, the feature names in `protocol-features.ts`, the name lists in
 * `protocol-names.ts` (all without zod); they are re-exported here, so this file stays the one
 * import for the protocol. The frames each side reads most are read without zod by
 * `fast-frames.ts`, which falls back to the parsers here; a host process that must start fast
 * imports the core and `fast-frames.ts`, and loads this file later.
 *
 * Runtime-free: no Node, no DOM. Only `TextEncoder`/`TextDecoder` and zod.
 */
import { z } from 'zod'
import { provideZodForAgentMuxSchemas } from './agentmux-commands'
import { decodeObject, describe, hasOwn, unknownTag } from './frame-decoding'
import type { InboundFrame } from './byte-frame'
import { parseHostBoundFast, parseHostInboundFast } from './fast-frames'
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
 *
 * A host's acks and reports in their usual spelling are recognised without zod
 * (`parseHostInboundFast`); everything else, and every error, comes from the schemas
 * (`parseHostInboundBySchema`). Both give the same result for every frame.
 */
export function parseHostInbound(
  input: InboundFrame,
  maxFrameBytes: number = MAX_FRAME_BYTES,
): ParseResult<HostInbound> {
  const fast = parseHostInboundFast(input, maxFrameBytes)
  return fast ? { ok: true, frame: fast } : parseHostInboundBySchema(input, maxFrameBytes)
}

/**
 * `parseHostInbound` through the zod schemas only: the reference the fast path is tested against,
 * and what the launcher falls back to for a frame the fast path does not recognise. Never throws.
 */
export function parseHostInboundBySchema(
  input: InboundFrame,
  maxFrameBytes: number = MAX_FRAME_BYTES,
): ParseResult<HostInbound> {
  const parsed = decodeObject(input, 'cmd', maxFrameBytes)
  if (!parsed.ok) return parsed
  const name = parsed.frame.cmd as string
  const { hostInbound } = schemas()
  if (!hasOwn(hostInbound, name)) return unknownTag('cmd', name, HOST_INBOUND_NAMES)
  return validate(hostInbound[name as HostInboundName] as z.ZodType<HostInbound, unknown>, parsed.frame)
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
