import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseHostBoundFast } from '../../src/shared/fast-frames'
import {
  encodeCommandFrame,
  encodeControlFrame,
  encodeEvent,
  parseHostBound,
  parseHostBoundBySchema,
  type HostBound,
} from '../../src/shared/protocol'

const CUSTOM = new Set(['add', 'render.page', 'toString'])

// Values that sit on and around each rule the schemas enforce.
const int = fc.oneof(
  fc.nat(1000),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 53, 9007199254740991, 1e21),
)
const labelText = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.:-]{0,258}$/),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('w1', '', 'a"b', 'a\\b', 'é', 'a\ud800', '\udfff', '😀', 'x'.repeat(256), 'x'.repeat(257)),
)
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  int,
  labelText,
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
)
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined, freq: 3 })
const field = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: anyValue })

const commandName = fc.constantFrom(
  'spawn_pool_window',
  'reap_panes',
  'drain_pool_if_last',
  'probe_ui_thread',
  'cancel_saga',
  'add',
  'render.page',
  'toString',
  'unknown_cmd',
  'register',
)

/** A launcher → host frame as an object: mostly well-formed, often a field or two off. */
const frameObject: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  // Commands with seq (built-in and app-defined), in the launcher's key order.
  fc
    .record({
      kind: field(fc.constant('command')),
      seq: field(int),
      cmd: field(commandName),
      label: maybe(field(labelText)),
      nonce: maybe(field(int)),
      saga_id: maybe(field(int)),
      deadline: maybe(field(int)),
      a: maybe(anyValue),
      extra: maybe(anyValue),
    })
    .map(dropUndefined),
  // Control frames (no seq).
  fc
    .record({
      kind: fc.constant('command'),
      cmd: field(fc.constantFrom('probe_ui_thread', 'cancel_saga', 'stream_credit', 'reap_panes')),
      nonce: maybe(field(int)),
      saga_id: maybe(field(int)),
      credit: maybe(field(int)),
    })
    .map(dropUndefined),
  // Raw and enveloped events.
  fc
    .record({
      kind: maybe(fc.constantFrom('event', 'other')),
      event: field(fc.constantFrom('registered', 'error', 'pong', 'saga_failed')),
      client_id: maybe(field(int)),
      launcher_pid: maybe(field(int)),
      launcher_version: maybe(field(labelText)),
      unresponsive_ms: maybe(field(int)),
      stream_window: maybe(field(int)),
      code: maybe(field(fc.constantFrom('invalid_command', 'unauthorized', 'nope'))),
      message: maybe(field(labelText)),
      fatal: maybe(field(fc.boolean())),
      nonce: maybe(field(int)),
      version: maybe(field(int)),
    })
    .map(dropUndefined),
)

/** How the object is spelled on the wire: as the launcher writes it, or any other valid JSON. */
const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: frameObject.map((o) => JSON.stringify(o)) },
  frameObject.chain((o) =>
    fc.shuffledSubarray(Object.keys(o), { minLength: Object.keys(o).length }).map((keys) => {
      const shuffled: Record<string, unknown> = {}
      for (const k of keys) shuffled[k] = o[k]
      return JSON.stringify(shuffled)
    }),
  ),
  frameObject.map((o) => JSON.stringify(o, null, 1)),
  // Near-misses in the text itself.
  frameObject.chain((o) =>
    fc
      .constantFrom(
        (s: string) => s + ' ',
        (s: string) => s.slice(0, -1),
        (s: string) => s.replace('"w1"', '"w\\u0031"'),
        (s: string) => s.replace('"cmd"', '"__proto__":{},"cmd"'),
        (s: string) => s.replace(/,"seq":(\d+)/, ',"seq":$1,"seq":7'),
        (s: string) => s.replace(/:(\d+)/, ':$1.0'),
        (s: string) => s.replace(/:(\d+)/, ':0$1'),
        (s: string) => '[' + s + ']',
        (s: string) => s.replace('"label":"', '"label":"\\ud800'),
      )
      .map((mutate) => mutate(JSON.stringify(o))),
  ),
)

/** Lines as a host gets them: text (port transports) or bytes (sockets), sometimes not UTF-8. */
const input: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  line,
  line.map((s) => new TextEncoder().encode(s)),
  line.map((s) => {
    const bytes = new TextEncoder().encode(s)
    if (bytes.length > 3) bytes[bytes.length - 3] = 0xff
    return bytes
  }),
)

const pair = (text: string, frame: HostBound): [string, HostBound] => [text, frame]

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v
  return out
}

describe('parseHostBoundFast (the host’s zod-free fast path)', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('accepts only frames the schemas accept, with the same value, and parseHostBound gives the schemas’ answer for every line', () => {
    fc.assert(
      fc.property(input, (frame) => {
        const full = parseHostBoundBySchema(frame, CUSTOM)
        const fast = parseHostBoundFast(frame, CUSTOM)
        if (fast !== undefined) expect(full).toStrictEqual({ ok: true, frame: fast })
        expect(parseHostBound(frame, CUSTOM)).toStrictEqual(full)
      }),
      { numRuns: 4000 },
    )
  })

  it('recognises every well-formed frame the launcher writes, so a host never waits for zod', () => {
    const wellFormed: fc.Arbitrary<[string, HostBound]> = fc.oneof(
      fc
        .record({
          seq: fc.nat(),
          cmd: fc.constantFrom('reap_panes' as const, 'drain_pool_if_last' as const),
          // No `u`: a backslash before it could look like a surrogate escape, which defers.
          label: fc.stringMatching(/^[A-Za-tv-z0-9 é"\\]{1,40}$/),
          saga_id: maybe(fc.nat()),
          deadline: maybe(fc.nat()),
        })
        .map(({ seq, ...rest }) => {
          const command = dropUndefined(rest) as { cmd: 'reap_panes'; label: string }
          return pair(encodeCommandFrame(seq, JSON.stringify(command)), { kind: 'command', seq, command })
        }),
      fc
        .record({ seq: fc.nat(), a: fc.integer(), saga_id: fc.nat(), deadline: fc.nat() })
        .map(({ seq, a, saga_id, deadline }) => {
          const command = { cmd: 'add', saga_id, deadline, a }
          return pair(encodeCommandFrame(seq, JSON.stringify(command)), { kind: 'command', seq, command })
        }),
      fc.nat().map((saga_id) =>
        pair(encodeControlFrame({ cmd: 'cancel_saga', saga_id }), {
          kind: 'control',
          command: { cmd: 'cancel_saga', saga_id },
        }),
      ),
      fc.record({ saga_id: fc.nat(), credit: fc.integer({ min: 1 }) }).map(({ saga_id, credit }) =>
        pair(encodeControlFrame({ cmd: 'stream_credit', saga_id, credit }), {
          kind: 'control',
          command: { cmd: 'stream_credit', saga_id, credit },
        }),
      ),
      fc.nat().map((nonce) =>
        pair(encodeControlFrame({ cmd: 'probe_ui_thread', nonce }), {
          kind: 'control',
          command: { cmd: 'probe_ui_thread', nonce },
        }),
      ),
      fc.record({ client_id: fc.nat(), version: fc.nat() }).map(({ client_id, version }) => {
        const event = {
          event: 'registered' as const,
          client_id,
          launcher_pid: 42,
          launcher_version: '0.1.0',
          stream_window: 16,
          version,
        }
        return pair(encodeEvent(event), { kind: 'event', event })
      }),
    )
    fc.assert(
      fc.property(wellFormed, ([text, expected]) => {
        expect(parseHostBoundFast(text, CUSTOM)).toStrictEqual(expected)
        expect(parseHostBoundFast(new TextEncoder().encode(text), CUSTOM)).toStrictEqual(expected)
      }),
      { numRuns: 1000 },
    )
  })

  it('reads the built-in commands the saga coordinator sends without JSON.parse', () => {
    const parse = vi.spyOn(JSON, 'parse')
    const frames = [
      '{"kind":"command","seq":7,"cmd":"spawn_pool_window","saga_id":42,"deadline":1764433800000}',
      '{"kind":"command","seq":8,"cmd":"reap_panes","label":"w1","saga_id":43,"deadline":1764433800000}',
      '{"kind":"command","seq":9,"cmd":"drain_pool_if_last","label":"w1"}',
    ]
    for (const frame of frames) expect(parseHostBoundFast(new TextEncoder().encode(frame))).toBeDefined()
    expect(parse).not.toHaveBeenCalled()
  })

  it('leaves every bad frame to the schemas, so its error names what was wrong', () => {
    const bad = [
      '{"kind":"command","seq":1,"cmd":"reap_panes"}',
      '{"kind":"command","seq":-1,"cmd":"spawn_pool_window"}',
      '{"kind":"command","seq":1,"cmd":"spawn_pool_window","saga_id":"3"}',
      '{"kind":"command","cmd":"spawn_pool_window"}',
      '{"kind":"command","seq":1,"cmd":"nope"}',
      '{"event":"registered","client_id":1}',
      'not json',
    ]
    for (const frame of bad) {
      expect(parseHostBoundFast(frame, CUSTOM)).toBeUndefined()
      const full = parseHostBound(frame, CUSTOM)
      expect(full.ok).toBe(false)
    }
    expect(parseHostBound(bad[0]!, CUSTOM)).toEqual({
      ok: false,
      code: 'invalid_command',
      message: 'missing field `label`',
    })
  })
})
