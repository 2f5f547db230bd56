import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseHostBound, parseHostInbound } from '../../src/shared/protocol'

const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed()

/** Every string in a decoded JSON value, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(strings)
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)])
  return []
}

const LONE = /not valid UTF-8: .* holds a lone surrogate/

describe('text that is not well-formed Unicode', () => {
  it.each([
    [
      'a label with an escaped lone high surrogate',
      '{"cmd":"report_pool_window_added","label":"a\\ud800b","saga_id":1}',
      '`label`',
    ],
    [
      'a reason with a lone low surrogate',
      '{"cmd":"report_saga_action_failed","saga_id":1,"reason":"\\udc00"}',
      '`reason`',
    ],
    [
      'a surrogate pair in the wrong order',
      '{"cmd":"report_panes_reaped","label":"\\udc00\\ud800","saga_id":1}',
      '`label`',
    ],
    [
      'a feature name',
      '{"cmd":"register","kind":"host","pid":1,"version":"1","token":"t","features":["ack","\\ud800"]}',
      '`features.1`',
    ],
    ['a token', '{"cmd":"register","kind":"host","pid":1,"version":"1","token":"\\udbff"}', '`token`'],
    [
      'an unknown field the schema would strip',
      '{"cmd":"ping","nonce":1,"extra":{"deep":["\\ud800"]}}',
      '`extra.deep.0`',
    ],
    ['a key', '{"cmd":"ping","nonce":1,"\\ud800":1}', 'a key in the frame'],
    ['a nested key', '{"cmd":"ping","nonce":1,"x":{"\\udfff":1}}', 'a key in `x`'],
  ])('refuses %s as malformed bytes are refused', (_what, line, where) => {
    const parsed = parseHostInbound(line)
    expect(parsed).toEqual({ ok: false, code: 'invalid_command', message: expect.stringMatching(LONE) })
    expect(!parsed.ok && parsed.message).toContain(`UTF-8: ${where} holds`)
  })

  it('refuses the same code point sent as raw bytes (ED A0 80) with the same code', () => {
    const encode = (t: string) => [...new TextEncoder().encode(t)]
    const raw = new Uint8Array([
      ...encode('{"cmd":"report_pool_window_added","label":"a'),
      ...[0xed, 0xa0, 0x80],
      ...encode('b","saga_id":1}'),
    ])
    expect(parseHostInbound(raw)).toEqual({
      ok: false,
      code: 'invalid_command',
      message: 'frame is not valid UTF-8',
    })
  })

  it('refuses a lone surrogate that arrives as a JS string (a message transport), not only as an escape', () => {
    expect(parseHostInbound('{"cmd":"report_panes_reaped","label":"a\ud800","saga_id":1}')).toMatchObject({
      ok: false,
      code: 'invalid_command',
      message: expect.stringMatching(LONE),
    })
  })

  it('accepts surrogate pairs, escaped or not', () => {
    for (const label of ['\\ud83d\\ude00', '😀', 'a\\u00e9'])
      expect(parseHostInbound(`{"cmd":"report_panes_reaped","label":"${label}","saga_id":1}`)).toMatchObject({
        ok: true,
      })
  })

  it('refuses it in what a host reads too', () => {
    expect(parseHostBound('{"kind":"command","seq":1,"cmd":"reap_panes","label":"\\ud800"}')).toMatchObject({
      ok: false,
      code: 'invalid_command',
      message: expect.stringMatching(LONE),
    })
    expect(
      parseHostBound('{"event":"saga_failed","saga_id":1,"reason":"\\udc00","version":1}'),
    ).toMatchObject({
      ok: false,
      code: 'invalid_command',
    })
  })

  it('never accepts a frame holding a string that is not well-formed, and refuses one only for that', () => {
    // Units that make well-formed text, lone surrogates of both halves, and pairs that join up.
    const unit = fc.oneof(
      fc.constantFrom('a', 'é', '😀', '"', '\\'),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    )
    const anyText = fc.array(unit, { maxLength: 4 }).map((units) => units.join(''))
    const frame = fc.oneof(
      fc.record({ cmd: fc.constant('report_panes_reaped'), label: anyText, saga_id: fc.nat() }),
      fc.record({ cmd: fc.constant('report_saga_action_failed'), saga_id: fc.nat(), reason: anyText }),
      fc.record({
        cmd: fc.constant('register'),
        kind: fc.constant('tool'),
        pid: fc.nat(),
        version: anyText,
        token: anyText,
        features: fc.array(anyText, { maxLength: 3 }),
      }),
      fc.dictionary(anyText, anyText, { maxKeys: 3 }).map((extra) => ({ cmd: 'ping', nonce: 1, extra })),
    )
    fc.assert(
      fc.property(frame, (value) => {
        const line = JSON.stringify(value)
        const parsed = parseHostInbound(line)
        const isClean = strings(JSON.parse(line)).every(wellFormed)
        if (parsed.ok) expect(isClean).toBe(true)
        else if (!isClean) expect(parsed.message).toMatch(LONE)
        else expect(parsed.message).not.toMatch(LONE)
      }),
      { numRuns: 1000 },
    )
  })
})
