/**
 * The host's fast path for launcher → host frames: recognises the well-formed frames a host reads
 * (built-in and app-defined commands, control frames, the `registered` and `error` events) with
 * hand-written checks instead of the zod schemas, and gives up (undefined) on anything else, so
 * the caller falls back to `parseHostBoundBySchema` (protocol.ts), whose errors keep their exact
 * messages. For every frame it accepts, the value equals what the schemas give
 * (test/protocol/host-bound-fast.property.test.ts); it never accepts a frame they refuse.
 *
 * It has no zod import: a host connects, registers and serves the built-in commands without ever
 * loading zod (a host's cold start), and skips the schema work on every command (its per-command
 * CPU). The launcher's own fast path for acks and reports (`parseHostInbound`) works the same way.
 *
 * Runtime-free: no Node, no DOM, no zod.
 */
import { ReceivedByteFrame, type InboundFrame } from './byte-frame'
import { decodeText, HOT_INT, HOT_LABEL, isWellFormed, safeIntOf } from './frame-decoding'
import {
  exceedsFrameLimit,
  MAX_FRAME_BYTES,
  type ControlCommand,
  type CustomCommand,
  type CustomCommandNames,
  type ErrorCode,
  type Event,
  type HostBound,
  type DrainPoolIfLast,
  type ReapPanes,
  type SpawnPoolWindow,
} from './protocol-core'

// The command frames the launcher writes for the built-in commands, in its exact spelling
// (`{"kind":"command","seq":7,"cmd":"reap_panes","label":"w1","saga_id":3,"deadline":…}`):
// recognised by one pattern, without JSON.parse. Integers are checked against MAX_SAFE_INTEGER
// below and labels are plain characters only, so nothing here needs the JSON decoder's rules.
const HOT_COMMAND = new RegExp(
  `^\\{"kind":"command","seq":${HOT_INT},"cmd":"(spawn_pool_window|reap_panes|drain_pool_if_last)"` +
    `(?:,"label":"${HOT_LABEL}")?(?:,"saga_id":${HOT_INT})?(?:,"deadline":${HOT_INT})?\\}$`,
)
/** `\uD800`–`\uDFFF` spelled as an escape (a pair too, and a backslash before it: a harmless miss). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/
const LABEL_MAX_CHARS = 256
const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'invalid_command',
  'not_registered',
  'already_registered',
  'unauthorized',
  'frame_too_large',
])

/**
 * One launcher → host line (its text or bytes, without the `\n`) as `parseHostBound` reads it, or
 * undefined when this path does not recognise it (not necessarily an error: the schemas decide).
 * `customNames`: the app-defined commands this host accepts (`'any'`: every name). Never throws.
 */
export function parseHostBoundFast(
  input: InboundFrame,
  customNames?: CustomCommandNames,
  maxFrameBytes: number = MAX_FRAME_BYTES,
): HostBound | undefined {
  // A byte frame is rare and large: the schemas read it.
  if (input instanceof ReceivedByteFrame) return undefined
  let text: string
  if (typeof input === 'string') {
    // A raw lone surrogate is refused by the full path (not valid UTF-8).
    if (exceedsFrameLimit(input, maxFrameBytes) || !isWellFormed(input)) return undefined
    text = input
  } else {
    if (input.byteLength > maxFrameBytes) return undefined
    const decoded = decodeText(input, maxFrameBytes)
    if (!decoded.ok) return undefined
    text = decoded.frame
  }
  const hot = parseHotCommand(text)
  if (hot) return hot
  // A surrogate escape may be a lone one, which the full path refuses: rare, and the full path's to judge.
  if (SURROGATE_ESCAPE.test(text)) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const obj = value as Record<string, unknown>
  // Copying a `__proto__` key by assignment would set the prototype instead: left to the full path.
  if (Object.prototype.hasOwnProperty.call(obj, '__proto__')) return undefined
  if (obj.kind === 'command') return obj.seq === undefined ? controlOf(obj) : commandOf(obj, customNames)
  if (obj.kind === undefined) return eventOf(obj)
  return undefined
}

function parseHotCommand(text: string): HostBound | undefined {
  if (text.length > 600 || text.charCodeAt(1) !== 0x22 /* " */ || text.charCodeAt(2) !== 0x6b /* k */)
    return undefined
  const m = HOT_COMMAND.exec(text)
  if (!m) return undefined
  const seq = safeIntOf(m[1])
  const name = m[2] as 'spawn_pool_window' | 'reap_panes' | 'drain_pool_if_last'
  const label = m[3]
  const sagaId = m[4] === undefined ? undefined : safeIntOf(m[4])
  const deadline = m[5] === undefined ? undefined : safeIntOf(m[5])
  if (seq === undefined || (m[4] !== undefined && sagaId === undefined)) return undefined
  if (m[5] !== undefined && deadline === undefined) return undefined
  // spawn_pool_window takes no label (the schema would strip it); the others need one.
  if ((name === 'spawn_pool_window') !== (label === undefined)) return undefined
  let command: SpawnPoolWindow | ReapPanes | DrainPoolIfLast
  if (name === 'spawn_pool_window') command = { cmd: name }
  else command = { cmd: name, label: label! }
  if (sagaId !== undefined) command.saga_id = sagaId
  if (deadline !== undefined) command.deadline = deadline
  return { kind: 'command', seq, command }
}

function commandOf(
  obj: Record<string, unknown>,
  customNames: CustomCommandNames | undefined,
): HostBound | undefined {
  const seq = obj.seq
  const name = obj.cmd
  if (!isNonNegInt(seq) || typeof name !== 'string') return undefined
  const sagaId = obj.saga_id
  const deadline = obj.deadline
  if (!isOptionalNonNegInt(sagaId) || !isOptionalNonNegInt(deadline)) return undefined
  let command: SpawnPoolWindow | ReapPanes | DrainPoolIfLast
  switch (name) {
    case 'spawn_pool_window':
      command = { cmd: name }
      break
    case 'reap_panes':
    case 'drain_pool_if_last':
      if (!isLabel(obj.label)) return undefined
      command = { cmd: name, label: obj.label }
      break
    case 'probe_ui_thread':
      if (!isNonNegInt(obj.nonce)) return undefined
      return { kind: 'command', seq, command: { cmd: name, nonce: obj.nonce } }
    default:
      if (customNames !== 'any' && !customNames?.has(name)) return undefined
      return { kind: 'command', seq, command: withoutEnvelope(obj) }
  }
  if (sagaId !== undefined) command.saga_id = sagaId
  if (deadline !== undefined) command.deadline = deadline
  return { kind: 'command', seq, command }
}

/** An app-defined command: every field but the envelope's `kind` and `seq` (its input is checked by its own schema). */
function withoutEnvelope(obj: Record<string, unknown>): CustomCommand {
  const command: Record<string, unknown> = {}
  for (const key in obj) if (key !== 'kind' && key !== 'seq') command[key] = obj[key]
  return command as CustomCommand
}

function controlOf(obj: Record<string, unknown>): HostBound | undefined {
  let command: ControlCommand
  if (obj.cmd === 'probe_ui_thread' && isNonNegInt(obj.nonce)) command = { cmd: obj.cmd, nonce: obj.nonce }
  else if (obj.cmd === 'cancel_saga' && isNonNegInt(obj.saga_id))
    command = { cmd: obj.cmd, saga_id: obj.saga_id }
  else if (obj.cmd === 'stream_credit' && isNonNegInt(obj.saga_id) && isPositiveInt(obj.credit))
    command = { cmd: obj.cmd, saga_id: obj.saga_id, credit: obj.credit }
  else return undefined
  return { kind: 'control', command }
}

/** The events a host acts on; the launcher sends it no others. */
function eventOf(obj: Record<string, unknown>): HostBound | undefined {
  let event: Event
  if (
    obj.event === 'registered' &&
    isNonNegInt(obj.client_id) &&
    isNonNegInt(obj.launcher_pid) &&
    typeof obj.launcher_version === 'string' &&
    (obj.unresponsive_ms === undefined || isNonNegInt(obj.unresponsive_ms)) &&
    (obj.max_payload_bytes === undefined || isNonNegInt(obj.max_payload_bytes)) &&
    (obj.stream_window === undefined || isPositiveInt(obj.stream_window)) &&
    isNonNegInt(obj.version)
  )
    event = {
      event: obj.event,
      client_id: obj.client_id,
      launcher_pid: obj.launcher_pid,
      launcher_version: obj.launcher_version,
      ...(obj.unresponsive_ms === undefined ? {} : { unresponsive_ms: obj.unresponsive_ms }),
      ...(obj.max_payload_bytes === undefined ? {} : { max_payload_bytes: obj.max_payload_bytes }),
      ...(obj.stream_window === undefined ? {} : { stream_window: obj.stream_window }),
      version: obj.version,
    }
  else if (
    obj.event === 'error' &&
    typeof obj.code === 'string' &&
    ERROR_CODES.has(obj.code) &&
    typeof obj.message === 'string' &&
    typeof obj.fatal === 'boolean' &&
    isNonNegInt(obj.version)
  )
    event = {
      event: obj.event,
      code: obj.code as ErrorCode,
      message: obj.message,
      fatal: obj.fatal,
      version: obj.version,
    }
  else return undefined
  return { kind: 'event', event }
}

/** What the schemas' `nonNegInt` accepts: an integer in 0 … MAX_SAFE_INTEGER. */
function isNonNegInt(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER
  )
}

function isPositiveInt(value: unknown): value is number {
  return isNonNegInt(value) && value >= 1
}

function isOptionalNonNegInt(value: unknown): value is number | undefined {
  return value === undefined || isNonNegInt(value)
}

function isLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= LABEL_MAX_CHARS
}
