import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseHostInboundFast } from '../../src/shared/fast-frames'
import {
  encodeHostInbound,
  parseHostInbound,
  parseHostInboundBySchema,
  type HostInbound,
} from '../../src/shared/protocol'

// Whatever the fast path accepts, the schemas accept with the same value, and what it leaves to
// them parses as the schemas say: `parseHostInbound` never depends on which path ran.
const viaFullPath = (line: string) => parseHostInboundBySchema(line)
const viaHotPath = (line: string) => {
  const fast = parseHostInboundFast(line)
  if (fast) expect({ ok: true, frame: fast }).toEqual(viaFullPath(line))
  return parseHostInbound(line)
}

const digits = fc.oneof(
  fc.nat().map(String),
  fc.constantFrom(
    '0',
    '00',
    '01',
    '9007199254740991',
    '9007199254740992',
    '99999999999999999',
    '-1',
    '1e3',
    '1.0',
  ),
)
const label = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.:-]{0,260}$/),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s).slice(1, -1)),
  fc.constantFrom('w1', '', 'a"b', 'a\\\\b', 'é', '\\u0041'),
  // Lone surrogates, escaped and raw, and a pair that is well-formed: the full path refuses the
  // first two kinds (not valid UTF-8), so the hot path must never accept them.
  fc.constantFrom('a\\ud800b', '\\udfff', '\\udc00\\ud800', 'a\ud800', '\\ud83d\\ude00', '😀'),
)
const hotShaped = fc.oneof(
  digits.map((d) => `{"cmd":"ack","seq":${d}}`),
  fc
    .tuple(
      fc.constantFrom('report_pool_window_added', 'report_panes_reaped', 'report_pool_drain_decisio'),
      label,
      digits,
    )
    .map(([cmd, l, d]) => `{"cmd":"${cmd}","label":"${l}","saga_id":${d}}`),
  fc
    .tuple(label, fc.constantFrom('true', 'false', '1', '"true"'), digits)
    .map(([l, w, d]) => `{"cmd":"report_pool_drain_decision","label":"${l}","was_last":${w},"saga_id":${d}}`),
)

const jsonValue = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))
const reportShaped = fc.oneof(
  fc
    .tuple(digits, jsonValue, fc.option(digits, { nil: undefined }))
    .map(
      ([d, out, seq]) =>
        `{"cmd":"report_result","saga_id":${d},"output":${out}${seq === undefined ? '' : `,"seq":${seq}`}}`,
    ),
  fc
    .tuple(digits, label, fc.option(digits, { nil: undefined }))
    .map(
      ([d, reason, seq]) =>
        `{"cmd":"report_saga_action_failed","saga_id":${d},"reason":"${reason}"${seq === undefined ? '' : `,"seq":${seq}`}}`,
    ),
  fc
    .tuple(fc.constantFrom('report_chunk:chunk', 'report_progress:value'), digits, jsonValue)
    .map(([tagged, d, v]) => {
      const [cmd, key] = tagged.split(':')
      return `{"cmd":"${cmd}","saga_id":${d},"${key}":${v}}`
    }),
  // Near misses: a missing or extra field, a second tag, a reason that is not a string.
  digits.map((d) => `{"cmd":"report_chunk","saga_id":${d}}`),
  digits.map((d) => `{"cmd":"report_chunk","saga_id":${d},"chunk":1,"seq":2}`),
  digits.map((d) => `{"cmd":"report_chunk","saga_id":${d},"value":1}`),
  digits.map((d) => `{"cmd":"report_progress","saga_id":${d},"value":1,"chunk":2}`),
  digits.map((d) => `{"cmd":"report_result","saga_id":${d}}`),
  digits.map((d) => `{"cmd":"report_result","saga_id":${d},"output":1,"extra":2}`),
  digits.map((d) => `{"cmd":"report_result","saga_id":${d},"output":1,"reason":"x"}`),
  digits.map((d) => `{"cmd":"report_saga_action_failed","saga_id":${d},"reason":1}`),
  digits.map((d) => `{"cmd":"report_saga_action_failed","saga_id":${d},"reason":"x","output":1}`),
  digits.map((d) => `{"cmd":"report_result","saga_id":${d},"output":1,"cmd":"ping","nonce":1}`),
  // A result is read around its output: what surrounds that output must be exactly right.
  fc
    .tuple(
      digits,
      fc.constantFrom(
        '{"seq":1}',
        '{"a":1,"seq":2}',
        ' 5 ',
        '',
        '{"a":1},"seq":2',
        '[1,"seq":2]',
        '"x","seq":3',
        '5,"seq":',
        '{"a":"\\u0041"}',
        '{"a":"é😀"}',
      ),
      fc.constantFrom(
        '',
        ',"seq":7',
        ',"seq":07',
        ',"seq":-1',
        ',"seq":1e3',
        ',"seq":7 ',
        ', "seq":7',
        ',"seq":',
      ),
    )
    .map(([d, out, tail]) => `{"cmd":"report_result","saga_id":${d},"output":${out}${tail}}`),
  digits.map((d) => `{"cmd":"report_result","saga_id":${d},"output":1,"seq":2}garbage`),
  digits.map((d) => `{"cmd":"report_result","saga_id":${d},"output":12`),
  digits.map((d) => `{"cmd":"report_result","saga_id":${d},"output":[1]]`),
  digits.map((d) => `{"cmd":"report_result","saga_id":${d} ,"output":1,"seq":2}`),
  fc
    .nat({ max: 5000 })
    .map((n) => `{"cmd":"report_saga_action_failed","saga_id":1,"reason":"${'r'.repeat(n)}"}`),
)

describe('hot frames (acks and reports in the host’s own spelling)', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('parse exactly as the full JSON + schema path does, for near-misses too', () => {
    fc.assert(
      fc.property(hotShaped, (line) => {
        expect(viaHotPath(line)).toEqual(viaFullPath(line))
      }),
      { numRuns: 2000 },
    )
  })

  it('parse a call’s report exactly as the full path does, near misses and lone surrogates included', () => {
    fc.assert(
      fc.property(reportShaped, (line) => {
        expect(viaHotPath(line)).toEqual(viaFullPath(line))
      }),
      { numRuns: 3000 },
    )
  })

  it('skip JSON.parse for the frames a host sends per command', () => {
    const frames: HostInbound[] = [
      { cmd: 'ack', seq: 7 },
      { cmd: 'report_pool_window_added', label: 'w12', saga_id: 42 },
      { cmd: 'report_panes_reaped', label: 'p1', saga_id: 43 },
      { cmd: 'report_pool_drain_decision', label: 'p1', was_last: true, saga_id: 44 },
    ]
    const parse = vi.spyOn(JSON, 'parse')
    for (const frame of frames) {
      expect(parseHostInbound(encodeHostInbound(frame))).toEqual({ ok: true, frame })
      expect(parseHostInbound(new TextEncoder().encode(encodeHostInbound(frame)))).toEqual({
        ok: true,
        frame,
      })
    }
    expect(parse).not.toHaveBeenCalled()
    expect(parseHostInbound('{"cmd":"ping","nonce":1}')).toEqual({
      ok: true,
      frame: { cmd: 'ping', nonce: 1 },
    })
    expect(parse).toHaveBeenCalledTimes(1)
  })

  it('parse only the output of a result in the host’s spelling', () => {
    const parse = vi.spyOn(JSON, 'parse')
    expect(parseHostInboundFast('{"cmd":"report_result","saga_id":12,"output":{"sum":5},"seq":34}')).toEqual({
      cmd: 'report_result',
      saga_id: 12,
      output: { sum: 5 },
      seq: 34,
    })
    expect(parseHostInboundFast('{"cmd":"report_result","saga_id":0,"output":[1,"seq"]}')).toEqual({
      cmd: 'report_result',
      saga_id: 0,
      output: [1, 'seq'],
    })
    expect(parse.mock.calls.map((args) => args[0])).toEqual(['{"sum":5}', '[1,"seq"]'])
  })
})
