import { describe, expect, it } from 'vitest'
import { checkWholeMessage } from '../../src/main/ipc/whole-message'
import { MAX_FRAME_BYTES } from '../../src/shared/protocol'

describe('checkWholeMessage', () => {
  it('passes a string frame through as it is', () => {
    expect(checkWholeMessage('{"cmd":"goodbye"}')).toEqual({ ok: true, frame: '{"cmd":"goodbye"}' })
  })

  it('refuses a string over the limit counted in UTF-8 bytes, not characters', () => {
    expect(checkWholeMessage('é'.repeat(5), 10)).toEqual({ ok: true, frame: 'é'.repeat(5) })
    expect(checkWholeMessage('é'.repeat(6), 10)).toEqual({ ok: false, bytes: 12 })
    expect(checkWholeMessage('x'.repeat(MAX_FRAME_BYTES + 1))).toEqual({
      ok: false,
      bytes: MAX_FRAME_BYTES + 1,
    })
  })

  it('checks bytes by their length', () => {
    expect(checkWholeMessage(new Uint8Array(4), 4).ok).toBe(true)
    expect(checkWholeMessage(new Uint8Array(5), 4)).toEqual({ ok: false, bytes: 5 })
  })

  it('reads a structured message as its JSON, so it is validated like a string would be', () => {
    expect(checkWholeMessage({ cmd: 'ping', nonce: 1 })).toEqual({
      ok: true,
      frame: '{"cmd":"ping","nonce":1}',
    })
    expect(checkWholeMessage(undefined)).toEqual({ ok: true, frame: 'null' })
    expect(checkWholeMessage({ big: 'x'.repeat(20) }, 10)).toMatchObject({ ok: false })
  })
})
