import { describe, expect, it } from 'vitest'
import {
  MAX_FRAME_BYTES,
  exceedsFrameLimit,
  parseHostBound,
  parseHostInbound,
  sagaIdOf,
  utf8ByteLength,
} from '../../src/shared/protocol'

const register = { cmd: 'register', kind: 'host', pid: 1, version: '1', token: 't' }
const json = (o: unknown) => JSON.stringify(o)

describe('parseHostInbound refuses bad input with a code and a message naming what was wrong', () => {
  const cases: Array<[string, string | Uint8Array, 'invalid_command' | 'frame_too_large', RegExp]> = [
    ['not JSON', '{"cmd":', 'invalid_command', /not valid JSON/],
    ['a JSON array', '[1,2]', 'invalid_command', /must be a JSON object, got an array/],
    ['JSON null', 'null', 'invalid_command', /must be a JSON object, got null/],
    ['a JSON string', '"register"', 'invalid_command', /must be a JSON object/],
    ['no cmd', '{"seq":1}', 'invalid_command', /missing field `cmd`/],
    ['a numeric cmd', '{"cmd":5}', 'invalid_command', /`cmd` must be a string, got 5/],
    [
      'an unknown cmd',
      '{"cmd":"format_disk"}',
      'invalid_command',
      /unknown cmd "format_disk"; expected one of register/,
    ],
    ['a proto-named cmd', '{"cmd":"__proto__"}', 'invalid_command', /unknown cmd/],
    [
      'a string seq',
      json({ cmd: 'ack', seq: 'abc' }),
      'invalid_command',
      /`seq` must be a number, got "abc"/,
    ],
    ['a negative seq', json({ cmd: 'ack', seq: -1 }), 'invalid_command', /`seq` is invalid/],
    ['a fractional seq', json({ cmd: 'ack', seq: 1.5 }), 'invalid_command', /`seq`/],
    ['a missing seq', json({ cmd: 'ack' }), 'invalid_command', /missing field `seq`/],
    [
      'a string saga_id',
      json({ cmd: 'report_panes_reaped', label: 'p', saga_id: 'abc' }),
      'invalid_command',
      /`saga_id` must be a number, got "abc"/,
    ],
    [
      'a register without token',
      json({ ...register, token: undefined }),
      'invalid_command',
      /missing field `token`/,
    ],
    ['an unknown client kind', json({ ...register, kind: 'root' }), 'invalid_command', /`kind` is invalid/],
    [
      'non-string features',
      json({ ...register, features: [1] }),
      'invalid_command',
      /`features.0` must be a string/,
    ],
    ['an unknown register role', json({ ...register, role: 'spare' }), 'invalid_command', /`role`/],
    [
      'a non-boolean was_last',
      json({ cmd: 'report_pool_drain_decision', label: 'p', was_last: 'yes', saga_id: 1 }),
      'invalid_command',
      /`was_last` must be a boolean/,
    ],
    ['invalid UTF-8 bytes', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'invalid_command', /not valid UTF-8/],
    ['a truncated multi-byte char', new Uint8Array([0x22, 0xe2, 0x82]), 'invalid_command', /not valid UTF-8/],
    [
      'an oversize string',
      '{"cmd":"ping","pad":"' + 'x'.repeat(MAX_FRAME_BYTES) + '"}',
      'frame_too_large',
      /exceeds/,
    ],
    ['oversize bytes', new Uint8Array(MAX_FRAME_BYTES + 1).fill(0x20), 'frame_too_large', /exceeds/],
    ['an empty line', '', 'invalid_command', /not valid JSON/],
  ]

  it.each(cases)('%s', (_name, input, code, message) => {
    const r = parseHostInbound(input)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.code).toBe(code)
    expect(r.message).toMatch(message)
  })

  it('checks the size before anything else', () => {
    const r = parseHostInbound('[' + ' '.repeat(MAX_FRAME_BYTES) + ']')
    expect(r).toMatchObject({ ok: false, code: 'frame_too_large' })
  })

  it('counts multi-byte characters when checking the size', () => {
    const euro = '€'.repeat(Math.floor(MAX_FRAME_BYTES / 3) + 1) // 3 bytes each
    expect(euro.length).toBeLessThan(MAX_FRAME_BYTES)
    expect(exceedsFrameLimit(euro)).toBe(true)
    expect(parseHostInbound(euro)).toMatchObject({ ok: false, code: 'frame_too_large' })
    expect(utf8ByteLength('a€😀')).toBe(1 + 3 + 4)
    expect(utf8ByteLength('\ud800x')).toBe(3 + 1) // a lone surrogate is encoded as U+FFFD
    expect(exceedsFrameLimit('x'.repeat(100))).toBe(false)
  })

  it('takes an optional register role "standby" (§8)', () => {
    expect(parseHostInbound(json({ ...register, role: 'standby' }))).toMatchObject({
      ok: true,
      frame: { cmd: 'register', role: 'standby' },
    })
  })

  it('defaults features to an empty list and ignores unknown fields', () => {
    expect(parseHostInbound(json({ ...register, extra: 1 }))).toEqual({
      ok: true,
      frame: { ...register, features: [] },
    })
  })
})

describe('parseHostBound refuses bad launcher frames', () => {
  it.each([
    ['an unknown kind', json({ kind: 'blob' }), /unknown kind "blob"/],
    ['a command without seq', json({ kind: 'command', cmd: 'spawn_pool_window' }), /missing field `seq`/],
    ['a command without cmd', json({ kind: 'command', seq: 1 }), /missing field `cmd`/],
    [
      'a control frame with a bad saga id',
      json({ kind: 'command', cmd: 'cancel_saga', saga_id: -1 }),
      /`saga_id` is invalid/,
    ],
    [
      'a negative deadline',
      json({ kind: 'command', seq: 1, cmd: 'spawn_pool_window', saga_id: 1, deadline: -5 }),
      /`deadline` is invalid/,
    ],
    ['an unknown command', json({ kind: 'command', seq: 1, cmd: 'rm' }), /unknown cmd "rm"/],
    [
      'a bad command field',
      json({ kind: 'command', seq: 1, cmd: 'reap_panes', label: 3 }),
      /`label` must be a string/,
    ],
    ['an event frame without event', json({ kind: 'event' }), /missing field `event`/],
    ['an unknown event', json({ event: 'boom', version: 1 }), /unknown event "boom"/],
    [
      'a raw event with a bad field',
      json({ event: 'pong', nonce: 'x', version: 1 }),
      /`nonce` must be a number/,
    ],
    ['neither kind nor event', json({ foo: 1 }), /missing field `event`/],
    ['not JSON', 'nope', /not valid JSON/],
  ])('%s', (_name, input, message) => {
    const r = parseHostBound(input)
    expect(r).toMatchObject({ ok: false, code: 'invalid_command' })
    if (!r.ok) expect(r.message).toMatch(message)
  })
})

describe('sagaIdOf', () => {
  it('returns the saga id of saga commands and undefined for 0, absent, and other commands', () => {
    expect(sagaIdOf({ cmd: 'spawn_pool_window', saga_id: 42 })).toBe(42)
    expect(sagaIdOf({ cmd: 'reap_panes', label: 'p1', saga_id: 43 })).toBe(43)
    expect(sagaIdOf({ cmd: 'drain_pool_if_last', label: 'p1', saga_id: 44 })).toBe(44)
    expect(sagaIdOf({ cmd: 'spawn_pool_window', saga_id: 0 })).toBeUndefined()
    expect(sagaIdOf({ cmd: 'spawn_pool_window' })).toBeUndefined()
    expect(sagaIdOf({ cmd: 'probe_ui_thread', nonce: 9 })).toBeUndefined()
  })
})
