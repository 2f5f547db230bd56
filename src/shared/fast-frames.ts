/**
 * The hot frames without zod, both ways: the encoder of a command's members (what every command
 * frame HostPipe writes is made of), the host's reader of launcher → host frames
 * (`parseHostBoundFast`) and the launcher's reader of a host's acks and reports
 * (`parseHostInboundFast`). Each reader recognises the well-formed frames its peer sends most and
 * gives up (undefined) on anything else, so the caller falls back to the schemas in protocol.ts
 * (`parseHostBoundBySchema`, `parseHostInboundBySchema`), whose errors keep their exact messages.
 * A reader never accepts a frame the schemas refuse and gives the value they give; the encoder
 * writes the bytes `JSON.stringify` writes (the property tests in test/protocol hold each to it).
 *
 * Runtime-free (no Node, no DOM) and without zod: a host connects, registers and serves the
 * built-in commands without loading zod (its cold start), and neither side runs a schema per call.
 */
import { parseHotBuiltinCommand, parseHotBuiltinReport } from './agentmux-hot-frames'
import { ReceivedByteFrame, type InboundFrame } from './byte-frame'
import {
  decodeText,
  hasOwn,
  HOT_INT,
  hotIntValue,
  isLabel,
  isNonNegInt,
  isOptionalNonNegInt,
  isPositiveInt,
  isWellFormed,
  safeIntOf,
} from './frame-decoding'
import {
  exceedsFrameLimit,
  MAX_FRAME_BYTES,
  type ControlCommand,
  type CustomCommand,
  type CustomCommandNames,
  type DrainPoolIfLast,
  type ErrorCode,
  type Event,
  type HostBound,
  type HostInbound,
  type ReapPanes,
  type SpawnPoolWindow,
} from './protocol-core'

// ---------------------------------------------------------------------------------------------
// Writing a command: its members, straight into the frame's envelope. `JSON.stringify` of a small
// object, then wrapping it in the envelope, cost the launcher more than all else it does per
// command; this costs about half as much (docs/benchmarks.md, "What closed the gap").

/** Longer strings are checked with a regular expression, shorter ones with a loop. */
const SHORT_STRING = 64
/** What JSON.stringify escapes: `"`, `\`, C0 controls, and surrogates (when lone, since ES2019). */
// eslint-disable-next-line no-control-regex -- matching the C0 controls is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/**
 * The members of `value` as `JSON.stringify(value)` would write them between its braces, each
 * preceded by a comma (`,"cmd":"reap_panes","label":"w1"`), so a frame is
 * `prefix + members + '}'` for any prefix that opens an object with a member of its own.
 * `''` when every member is one JSON leaves out. Undefined when `value` is not a plain object
 * with at least one own enumerable key, and the caller should use `JSON.stringify(value)`.
 *
 * Plain object: its prototype is `Object.prototype` or null, it is not an array, it has no
 * callable `toJSON`, and its first own key is not `"0"` (which is how a `String` object looks
 * once its prototype is reset: like an object without keys, which a boxed `Number` or `Boolean`
 * looks like, it is left to `JSON.stringify`, which knows it for what it is). Strings, numbers,
 * booleans and null are encoded here, every other value (a nested object or array, a `Date`, a bigint) by
 * `JSON.stringify({ [key]: value })`, which applies every rule of the nested case: `toJSON` with
 * its key, boxed primitives, the `TypeError` of a bigint or a cycle. Each property of `value` is
 * read once; a getter that throws throws here, as it would in `JSON.stringify`.
 */
export function encodeFlatMembers(value: object, stopAt?: (member: object) => boolean): string | undefined {
  const proto: unknown = Object.getPrototypeOf(value)
  if ((proto !== Object.prototype && proto !== null) || Array.isArray(value)) return undefined
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined
  let members = ''
  let hasKeys = false
  for (const key in value) {
    // for…in also walks enumerable properties inherited from a (polluted) Object.prototype, which
    // JSON.stringify does not write.
    if (!Object.hasOwn(value, key)) continue
    // Integer-like keys come first: "0" first is a String object's shape (or an unusual command).
    if (!hasKeys && key === '0') return undefined
    hasKeys = true
    const v: unknown = (value as Record<string, unknown>)[key]
    let encoded: string
    switch (typeof v) {
      case 'string':
        encoded = quote(v)
        break
      case 'number':
        members = members + numberMember(memberOf(key), v)
        continue
      case 'boolean':
        encoded = v ? 'true' : 'false'
        break
      case 'undefined':
      case 'function':
      case 'symbol':
        continue
      default: {
        if (v === null) {
          encoded = 'null'
          break
        }
        // A member the caller encodes its own way (bytes): it is told, nothing is encoded.
        if (stopAt?.(v as object)) return STOPPED
        // `{"key":…}`, or `{}` when its toJSON gave undefined (the member is then left out).
        const one = JSON.stringify({ [key]: v })
        if (one.length > 2) members = members + ',' + one.slice(1, -1)
        continue
      }
    }
    // Two concatenations a member: every one allocates a string the frame's write has to walk.
    members = members + memberOf(key).prefix + encoded
  }
  // No own enumerable key at all is also how a boxed Number or Boolean looks: JSON.stringify
  // decides (having read nothing, it reads nothing twice). Keys whose values it leaves out give ''.
  return hasKeys ? members : undefined
}

/**
 * `JSON.stringify(value)`'s members, each preceded by a comma, by `encodeFlatMembers` where it
 * can and by `JSON.stringify` itself where it cannot; undefined when `value` does not serialise to
 * a JSON object. Throws what `JSON.stringify(value)` throws.
 */
export function encodeMembers(value: unknown, stopAt?: (member: object) => boolean): string | undefined {
  const flat = typeof value === 'object' && value !== null ? encodeFlatMembers(value, stopAt) : undefined
  if (flat !== undefined) return flat
  const json: unknown = JSON.stringify(value)
  if (typeof json !== 'string' || json[0] !== '{') return undefined
  return json.length > 2 ? ',' + json.slice(1, -1) : ''
}

/**
 * What `encodeMembers` returns when `stopAt` accepted a nested member: no members string can be
 * this (they are empty or start with a comma).
 */
export const STOPPED = '\u0000stopped'

/** Keys whose `,"key":` is kept: commands use a handful, so this is a cache, not a registry. */
const MAX_CACHED_KEYS = 256
/** Longer keys are encoded each time (a key this long is not one of a command type's fields). */
const MAX_CACHED_KEY_LENGTH = 64
/** A key's `,"key":`, and the number last written under it with its whole member. */
export interface Member {
  readonly prefix: string
  lastNumber: number
  lastNumberMember: string
}
const memberCache = new Map<string, Member>()

/** The key's Member, from a bounded cache (a key past its bounds gets a fresh one). */
export function memberOf(key: string): Member {
  let member = memberCache.get(key)
  if (member !== undefined) return member
  member = { prefix: ',' + quote(key) + ':', lastNumber: NaN, lastNumberMember: '' }
  if (memberCache.size < MAX_CACHED_KEYS && key.length <= MAX_CACHED_KEY_LENGTH) memberCache.set(key, member)
  return member
}

/**
 * The member's `,"key":` and `v` as `JSON.stringify` writes them (`null` for NaN and ±Infinity). A field often
 * repeats its number (a deadline is the same for every call of one ms): the last one's is kept.
 */
export function numberMember(member: Member, v: number): string {
  if (v !== member.lastNumber) {
    // Not '' + v: see protocol-core's numberText.
    member.lastNumberMember = member.prefix + (Number.isFinite(v) ? JSON.stringify(v) : 'null')
    member.lastNumber = v
  }
  return member.lastNumberMember
}

/** `JSON.stringify(s)`, without calling it when nothing needs escaping. */
function quote(s: string): string {
  return isVerbatim(s) ? '"' + s + '"' : JSON.stringify(s)
}

/** True when JSON writes `s` between quotes unchanged. */
function isVerbatim(s: string): boolean {
  if (s.length > SHORT_STRING) return !NEEDS_ESCAPE.test(s)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// Reading launcher → host frames, on the host.

/** `\uD800`–`\uDFFF` spelled as an escape (a pair too, and a backslash before it: a harmless miss). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/
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
  const text = frameText(input, maxFrameBytes)
  // A raw lone surrogate is refused by the full path (not valid UTF-8).
  if (text === undefined || !isWellFormed(text)) return undefined
  const hot = parseHotBuiltinCommand(text)
  if (hot) return hot
  // A surrogate escape may be a lone one, which the full path refuses: rare, and the full path's to judge.
  if (text.includes('\\u') && SURROGATE_ESCAPE.test(text)) return undefined
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

// ---------------------------------------------------------------------------------------------
// Reading host → launcher frames, on the launcher.

// The frames a busy host sends for every command (its ack and its report), in the exact text
// `JSON.stringify` gives them with the host's key order and a plain label: recognised without
// JSON.parse. The patterns accept only what the schema accepts (labels of 1–256 plain characters,
// integers checked by safeIntOf); any other spelling takes the schemas' path.
const HOT_ACK = new RegExp(`^\\{"cmd":"ack","seq":${HOT_INT}\\}$`)
// A call's report, and a stream's chunk or progress value, in the host's own key order: JSON.parse
// stays (the output is any JSON), the fields are checked by hand instead of by the schema. Any `\u`
// escape (a lone surrogate could hide there), an extra key or a field the schema would refuse
// takes the schemas' path. Regular expressions, not `startsWith` or a `charCodeAt` loop: on the
// sliced strings a line splitter hands out, those cost several times more.
const HOT_REPORT_HEAD = /^\{"cmd":"report_(?:result|saga_action_failed|chunk|progress)","saga_id":/
const HOT_RESULT_HEAD = new RegExp(`\\{"cmd":"report_result","saga_id":${HOT_INT},"output":`, 'y')
const HOT_SEQ_TAIL = new RegExp(`,"seq":${HOT_INT}\\}`, 'y')
/** Where a result's `saga_id` digits start. */
const RESULT_SAGA_ID_AT = '{"cmd":"report_result","saga_id":'.length
const REASON_MAX_CHARS = 4096

/** The one field beside `cmd`, `saga_id` and (on reports only) `seq` that each hot frame carries. */
const HOT_BODY_KEY: Readonly<Record<string, string>> = {
  report_result: 'output',
  report_saga_action_failed: 'reason',
  report_chunk: 'chunk',
  report_progress: 'value',
}

/**
 * `{"cmd":"report_result","saga_id":N,"output":…,"seq":N}` (`seq` optional), a call's report as
 * the host spells it: only `output` goes through JSON.parse. Around it is fixed text and digits,
 * and a JSON value cannot end in `,"seq":N`, so the frame parses exactly when `output` does.
 * Undefined for any other spelling (parseHotReport then reads it whole).
 */
function parseHotResult(text: string): HostInbound | undefined {
  HOT_RESULT_HEAD.lastIndex = 0
  if (!HOT_RESULT_HEAD.test(text) || text.includes('\\u') || !isWellFormed(text)) return undefined
  const outputAt = HOT_RESULT_HEAD.lastIndex
  const saga_id = hotIntValue(text, RESULT_SAGA_ID_AT, outputAt - ',"output":'.length)
  // The last `,"seq":` is the frame's own when it ends the frame; otherwise it is in the output.
  let outputEnd = text.length - 1
  let seq = -1
  const seqAt = text.lastIndexOf(',"seq":')
  if (seqAt >= outputAt) {
    HOT_SEQ_TAIL.lastIndex = seqAt
    if (HOT_SEQ_TAIL.test(text) && HOT_SEQ_TAIL.lastIndex === text.length) {
      seq = hotIntValue(text, seqAt + ',"seq":'.length, outputEnd)
      if (seq < 0) return undefined
      outputEnd = seqAt
    }
  }
  // Without a seq the frame's own `}` must end it.
  if (saga_id < 0 || (seq < 0 && text.charCodeAt(outputEnd) !== 0x7d)) return undefined
  let output: unknown
  try {
    output = JSON.parse(text.slice(outputAt, outputEnd))
  } catch {
    return undefined
  }
  return seq < 0 ? { cmd: 'report_result', saga_id, output } : { cmd: 'report_result', saga_id, output, seq }
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
  if (!isNonNegInt(saga_id) || !isOptionalNonNegInt(seq)) return undefined
  if (keys !== (seq === undefined ? 3 : 4) || obj[bodyKey] === undefined) return undefined
  if (cmd === 'report_saga_action_failed') {
    const reason = obj.reason
    if (typeof reason !== 'string' || reason.length > REASON_MAX_CHARS) return undefined
  }
  return obj as unknown as HostInbound
}

/**
 * One host → launcher frame (its text or bytes, without the `\n`) as `parseHostInbound` reads it,
 * or undefined when this path does not recognise it (not necessarily an error: the schemas
 * decide). `maxFrameBytes`: the connection's cap. Never throws.
 */
export function parseHostInboundFast(
  input: InboundFrame,
  maxFrameBytes: number = MAX_FRAME_BYTES,
): HostInbound | undefined {
  // A byte frame is rare and large: the schemas read it.
  if (input instanceof ReceivedByteFrame) return undefined
  const text = frameText(input, maxFrameBytes)
  if (text === undefined || text.charCodeAt(0) !== 0x7b) return undefined
  if (HOT_REPORT_HEAD.test(text)) return parseHotResult(text) ?? parseHotReport(text)
  if (text.length > 400) return undefined
  const m = HOT_ACK.exec(text)
  if (m) {
    const seq = safeIntOf(m[1])
    return seq === undefined ? undefined : { cmd: 'ack', seq }
  }
  return parseHotBuiltinReport(text)
}

/**
 * `decodeText` without its error (its result object costs a call on the hot path): the frame's
 * text, or undefined past `maxFrameBytes` or for bytes that are not strict UTF-8.
 */
function frameText(input: string | Uint8Array, maxFrameBytes: number): string | undefined {
  if (typeof input === 'string') return exceedsFrameLimit(input, maxFrameBytes) ? undefined : input
  const decoded = decodeText(input, maxFrameBytes)
  return decoded.ok ? decoded.frame : undefined
}
