import fc from 'fast-check'
import { HOST_INBOUND_NAMES, MAX_FRAME_BYTES, type HostInboundName } from '../../src/shared/protocol'

/**
 * What a frame is, by construction, whatever connection it is sent on. The fuzzer never asks the
 * parser: the expected answer follows from how the frame was made.
 * - `too-large`: a line over MAX_FRAME_BYTES (terminated or not);
 * - `invalid`: not UTF-8, not JSON, not an object, unknown `cmd`, or wrong/missing fields;
 * - `valid`: a well-formed command (`tokenOk` for `register`: it carries this launch's token);
 * - `partial`: the start of a line, then the client closes.
 */
export type Verdict =
  | { type: 'too-large' }
  | { type: 'invalid' }
  | { type: 'valid'; cmd: HostInboundName; nonce?: number; tokenOk?: boolean }
  | { type: 'partial' }

export interface FuzzFrame {
  /** What kind of input this is, for the tally. */
  category: string
  /** The line without its terminator. */
  bytes: Uint8Array
  terminator: '\n' | '\r\n' | ''
  /** Cut points inside `bytes + terminator`: the frame is written in these pieces. */
  cuts: number[]
  verdict: Verdict
}

const encoder = new TextEncoder()
const utf8 = (s: string): Uint8Array => encoder.encode(s)

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

type FieldType =
  'uint' | 'label' | 'version' | 'token' | 'reason' | 'bool' | 'kind' | 'features' | 'eventName' | 'json'

/** The fields of each inbound command, as ARCHITECTURE §2 and the schemas define them. */
const FIELDS: Record<HostInboundName, Record<string, FieldType>> = {
  register: { kind: 'kind', pid: 'uint', version: 'version', token: 'token', features: 'features' },
  ack: { seq: 'uint' },
  report_pool_window_added: { label: 'label', saga_id: 'uint' },
  report_panes_reaped: { label: 'label', saga_id: 'uint' },
  report_pool_drain_decision: { label: 'label', was_last: 'bool', saga_id: 'uint' },
  report_saga_action_failed: { saga_id: 'uint', reason: 'reason' },
  report_result: { saga_id: 'uint' },
  report_progress: { saga_id: 'uint', value: 'json' },
  report_chunk: { saga_id: 'uint', chunk: 'json' },
  report_event: { name: 'eventName', payload: 'json' },
  report_ui_thread_alive: { nonce: 'uint' },
  report_main_thread: { blocked_ms: 'uint' },
  ping: { nonce: 'uint' },
  goodbye: {},
}
const OPTIONAL_FIELDS = new Set(['features'])

const uint = fc.oneof(fc.nat(1000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }))
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength })

/** Values of the wrong JSON type for every field type (a number where a string goes, etc.). */
const notString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(9), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.nat(9), { maxKeys: 2 }),
)
const notNumber = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([1]),
  fc.constant({}),
)
const notBool = fc.oneof(fc.constantFrom('true', 'false', 0, 1, null), fc.constant([]))

const INVALID_VALUES: Record<FieldType, fc.Arbitrary<unknown>> = {
  uint: fc.oneof(
    fc.integer({ max: -1 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
    fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, 1e300),
    notNumber,
  ),
  label: fc.oneof(fc.constant(''), fc.string({ minLength: 257, maxLength: 300 }), notString),
  version: fc.oneof(fc.string({ minLength: 257, maxLength: 300 }), notString),
  token: fc.oneof(fc.string({ minLength: 1025, maxLength: 1100 }), notString),
  reason: fc.oneof(fc.string({ minLength: 4097, maxLength: 4200 }), notString),
  bool: notBool,
  eventName: fc.oneof(fc.constant(''), fc.string({ minLength: 65, maxLength: 80 }), notString),
  // Any JSON value is one: only its absence is wrong.
  json: fc.constant(undefined),
  kind: fc.oneof(
    fc.string({ maxLength: 8 }).filter((s) => s !== 'host' && s !== 'tool'),
    notString,
  ),
  features: fc.oneof(
    fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.constant({})),
    fc.array(notString, { minLength: 1, maxLength: 3 }),
    fc.array(fc.string({ maxLength: 4 }), { minLength: 65, maxLength: 70 }),
    fc.string({ minLength: 65, maxLength: 80 }).map((s) => [s]),
  ),
}

/** A register whose token is wrong: another value of any length, empty, or the real one changed. */
function wrongToken(token: string): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.constant(''),
      text(64),
      fc.string({ minLength: 1000, maxLength: 1024 }),
      fc.constant(token.slice(0, -1)),
      fc.constant(token + 'x'),
      fc
        .nat(token.length - 1)
        .map((i) => token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1)),
    )
    .filter((t) => t !== token)
}

/** A well-formed command; `register` only as a tool with the real token (a host would replace ours). */
function validCommand(token: string): fc.Arbitrary<{ frame: Record<string, unknown>; verdict: Verdict }> {
  const label = fc.string({ unit: 'binary', minLength: 1, maxLength: 256 })
  const register = fc
    .record({
      kind: fc.constantFrom('host', 'tool'),
      pid: uint,
      version: text(256),
      token: fc.oneof(fc.constant(token), wrongToken(token)),
      features: fc.option(fc.array(fc.string({ maxLength: 64 }), { maxLength: 8 }), { nil: undefined }),
    })
    .map((r) => (r.token === token ? { ...r, kind: 'tool' } : r))
    .map((r) => ({
      frame: { cmd: 'register', ...r },
      verdict: { type: 'valid', cmd: 'register', tokenOk: r.token === token } as Verdict,
    }))
  const simple = (cmd: HostInboundName, fields: fc.Arbitrary<Record<string, unknown>>) =>
    fields.map((f) => ({
      frame: { cmd, ...f },
      verdict: { type: 'valid', cmd, nonce: f.nonce as number | undefined } as Verdict,
    }))
  return fc.oneof(
    register,
    simple('ack', fc.record({ seq: uint })),
    simple('report_pool_window_added', fc.record({ label, saga_id: uint })),
    simple('report_panes_reaped', fc.record({ label, saga_id: uint })),
    simple('report_pool_drain_decision', fc.record({ label, was_last: fc.boolean(), saga_id: uint })),
    simple('report_saga_action_failed', fc.record({ saga_id: uint, reason: text(4096) })),
    simple('report_result', fc.record({ saga_id: uint, output: fc.jsonValue({ maxDepth: 2 }) })),
    simple('report_progress', fc.record({ saga_id: uint, value: fc.jsonValue({ maxDepth: 2 }) })),
    simple('report_chunk', fc.record({ saga_id: uint, chunk: fc.jsonValue({ maxDepth: 2 }) })),
    simple(
      'report_event',
      fc.record({ name: fc.string({ minLength: 1, maxLength: 64 }), payload: fc.jsonValue({ maxDepth: 2 }) }),
    ),
    simple('report_ui_thread_alive', fc.record({ nonce: uint })),
    simple('report_main_thread', fc.record({ blocked_ms: uint })),
    simple('ping', fc.record({ nonce: uint })),
    simple('goodbye', fc.constant({})),
  )
}

/** A well-formed command with one field made wrong: a wrong type, out of range, or missing. */
function wrongFieldCommand(token: string): fc.Arbitrary<Record<string, unknown>> {
  return validCommand(token)
    .filter(({ frame }) => Object.keys(FIELDS[frame.cmd as HostInboundName]).length > 0)
    .chain(({ frame }) => {
      const fields = FIELDS[frame.cmd as HostInboundName]
      return fc.constantFrom(...Object.keys(fields)).chain((name) => {
        const type = fields[name]!
        const { [name]: _gone, ...missing } = frame
        if (type === 'json') return fc.constant(missing)
        const replace = INVALID_VALUES[type].map((value) => ({ ...frame, [name]: value }))
        if (OPTIONAL_FIELDS.has(name)) return replace
        return fc.oneof(replace, fc.constant(missing))
      })
    })
}

const extraFields = fc.dictionary(
  fc.string({ maxLength: 8 }).filter((k) => k !== 'cmd'),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 3 },
)

function unknownCommand(): fc.Arbitrary<Record<string, unknown>> {
  const names = HOST_INBOUND_NAMES as readonly string[]
  const cmd = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 24 }).filter((s) => !names.includes(s)),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'REGISTER',
      'Ping',
      ' ping',
      'ack ',
    ),
    notString,
  )
  return fc.oneof(
    fc.tuple(cmd, extraFields).map(([c, extra]) => ({ ...extra, cmd: c })),
    extraFields,
  )
}

/** Invalid UTF-8 sequences (none contains `\n`). */
const BAD_UTF8: readonly number[][] = [
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc1, 0x81],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
]

function invalidUtf8(token: string): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(validCommand(token), fc.constantFrom(...BAD_UTF8), fc.nat(64))
    .map(([{ frame }, bad, at]) => {
      // Inside a string value, so that without the bad bytes it would be a valid command.
      const json = JSON.stringify({ ...frame, pad: 'x'.repeat(64) })
      const withPad = utf8(json)
      const start = utf8(json.slice(0, json.indexOf('"pad":"') + 7)).length + at
      return concat(withPad.subarray(0, start), new Uint8Array(bad), withPad.subarray(start))
    })
}

function notJson(): fc.Arbitrary<string> {
  const isObject = (s: string): boolean => {
    try {
      const v: unknown = JSON.parse(s)
      return typeof v === 'object' && v !== null && !Array.isArray(v)
    } catch {
      return false
    }
  }
  return fc
    .oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
      fc.constantFrom(
        '{',
        '}',
        '{"cmd":',
        '{"cmd":"ping",}',
        "{'cmd':'ping'}",
        'nul',
        '{"cmd":"ping" "nonce":1}',
      ),
    )
    .filter((s) => !/[\r\n]/.test(s) && !isObject(s))
}

/** A JSON value that is not an object: the protocol wants `{…}` per line. */
const notObject = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
)

function nested(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
}

type Framed = Omit<FuzzFrame, 'terminator' | 'cuts'> & { terminator?: FuzzFrame['terminator'] }

function deepNesting(token: string): fc.Arbitrary<Framed> {
  const depth = fc.integer({ min: 100, max: 100_000 })
  const shape = fc.constantFrom('array' as const, 'object' as const)
  return fc.oneof(
    // The whole frame is a deep array: not an object.
    fc.tuple(depth, fc.constant('array' as const)).map(([d, s]) => ({
      category: 'deep nesting',
      bytes: utf8(nested(d, s)),
      verdict: { type: 'invalid' } as Verdict,
    })),
    // A deep value in an extra field: ignored, the command is valid.
    fc.tuple(validCommand(token), depth, shape).map(([{ frame, verdict }, d, s]) => ({
      category: 'deep nesting',
      bytes: utf8(JSON.stringify(frame).slice(0, -1) + `,"x":${nested(d, s)}}`),
      verdict,
    })),
    // A deep value where a number or string goes.
    fc
      .tuple(validCommand(token), depth, shape)
      .filter(([{ frame }]) =>
        Object.keys(FIELDS[frame.cmd as HostInboundName]).some((k) => !OPTIONAL_FIELDS.has(k)),
      )
      .map(([{ frame }, d, s]) => {
        const field = Object.keys(FIELDS[frame.cmd as HostInboundName]).find((k) => !OPTIONAL_FIELDS.has(k))!
        const { [field]: _replaced, ...rest } = frame
        return {
          category: 'deep nesting',
          bytes: utf8(JSON.stringify(rest).slice(0, -1) + `,"${field}":${nested(d, s)}}`),
          verdict: { type: 'invalid' } as Verdict,
        }
      }),
  )
}

/** A ping padded to exactly `bytes` (≥ 40) bytes. */
function paddedPing(bytes: number, nonce: number): Uint8Array {
  const head = `{"cmd":"ping","nonce":${nonce},"pad":"`
  return utf8(head + 'x'.repeat(bytes - head.length - 2) + '"}')
}

function oversize(): fc.Arbitrary<Framed> {
  return fc
    .tuple(fc.integer({ min: MAX_FRAME_BYTES + 1, max: 2 * 1024 * 1024 }), fc.boolean())
    .map(([size, isTerminated]) => ({
      category: 'over MAX_FRAME_BYTES (to 2 MiB)',
      bytes: paddedPing(size, 1),
      terminator: isTerminated ? ('\n' as const) : ('' as const),
      verdict: { type: 'too-large' } as Verdict,
    }))
}

function atTheLimit(): fc.Arbitrary<Framed> {
  return fc
    .tuple(fc.integer({ min: MAX_FRAME_BYTES - 2, max: MAX_FRAME_BYTES }), fc.nat(1000))
    .map(([size, nonce]) => ({
      category: 'at MAX_FRAME_BYTES',
      bytes: paddedPing(size, nonce),
      verdict: { type: 'valid', cmd: 'ping', nonce } as Verdict,
    }))
}

function partialLine(token: string): fc.Arbitrary<Framed> {
  return fc
    .tuple(validCommand(token), fc.double({ min: 0.05, max: 0.95, noNaN: true }))
    .map(([{ frame }, at]) => {
      const full = utf8(JSON.stringify(frame))
      return {
        category: 'partial line, then close',
        bytes: full.subarray(0, Math.max(1, Math.floor(full.length * at))),
        terminator: '' as const,
        verdict: { type: 'partial' } as Verdict,
      }
    })
}

const asInvalid =
  (category: string) =>
  (bytes: Uint8Array): Framed => ({ category, bytes, verdict: { type: 'invalid' } })

/** One fuzzed frame of any category, with its terminator and the pieces it is written in. */
export function fuzzFrame(token: string): fc.Arbitrary<FuzzFrame> {
  const json = (value: unknown): Uint8Array => utf8(JSON.stringify(value))
  const framed: fc.Arbitrary<Framed> = fc.oneof(
    { weight: 3, arbitrary: invalidUtf8(token).map(asInvalid('invalid UTF-8')) },
    { weight: 3, arbitrary: notJson().map((s) => asInvalid('not JSON')(utf8(s))) },
    {
      weight: 2,
      arbitrary: validCommand(token).map(({ frame }) =>
        asInvalid('truncated JSON')(json(frame).subarray(0, -1)),
      ),
    },
    { weight: 2, arbitrary: notObject.map((v) => asInvalid('JSON, not an object')(json(v))) },
    { weight: 2, arbitrary: deepNesting(token) },
    { weight: 3, arbitrary: unknownCommand().map((f) => asInvalid('unknown or missing cmd')(json(f))) },
    {
      weight: 5,
      arbitrary: wrongFieldCommand(token).map((f) => asInvalid('wrong field type or missing field')(json(f))),
    },
    {
      weight: 5,
      arbitrary: validCommand(token).map(({ frame, verdict }) => ({
        category:
          verdict.type === 'valid' && verdict.cmd === 'register'
            ? 'register (right or wrong token)'
            : 'well-formed command',
        bytes: json(frame),
        verdict,
      })),
    },
    { weight: 1, arbitrary: oversize() },
    { weight: 1, arbitrary: atTheLimit() },
    { weight: 1, arbitrary: partialLine(token) },
  )
  return framed.chain((f) => {
    const terminator: fc.Arbitrary<FuzzFrame['terminator']> =
      f.terminator !== undefined ? fc.constant(f.terminator) : fc.constantFrom('\n', '\r\n')
    return fc
      .tuple(
        terminator,
        fc.array(fc.nat(f.bytes.length + 1), { maxLength: f.bytes.length > 100_000 ? 1 : 3 }),
      )
      .map(([t, cuts]) => ({ ...f, terminator: t, cuts: [...new Set(cuts)].sort((a, b) => a - b) }))
  })
}

/** The frame's bytes on the wire, cut into the pieces it is written in. */
export function piecesOf(frame: FuzzFrame): Uint8Array[] {
  const whole = concat(frame.bytes, utf8(frame.terminator))
  const pieces: Uint8Array[] = []
  let from = 0
  for (const cut of frame.cuts) {
    if (cut <= from || cut >= whole.length) continue
    pieces.push(whole.subarray(from, cut))
    from = cut
  }
  pieces.push(whole.subarray(from))
  return pieces
}
