import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { encodeHostInbound, parseHostInbound, type HostInbound } from '../../src/shared/protocol'

// A trailing space is still valid JSON but never matches the hot-frame patterns, so it forces the
// full JSON.parse + zod path: both paths must always agree.
const viaFullPath = (line: string) => parseHostInbound(line + ' ')

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

describe('hot frames (acks and reports in the host’s own spelling)', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('parse exactly as the full JSON + schema path does, for near-misses too', () => {
    fc.assert(
      fc.property(hotShaped, (line) => {
        expect(parseHostInbound(line)).toEqual(viaFullPath(line))
      }),
      { numRuns: 2000 },
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
})
