import { describe, expect, it } from 'vitest'
import {
  encodeControlFrame,
  encodeHostInbound,
  parseHostBound,
  parseHostInbound,
  type HostInbound,
} from '../../src/shared/protocol'

const json = (o: unknown) => JSON.stringify(o)

describe('progress, chunk and event frames (host → launcher)', () => {
  it.each<[string, HostInbound]>([
    ['a progress value', { cmd: 'report_progress', saga_id: 3, value: { done: 40, total: 100 } }],
    ['a null progress value', { cmd: 'report_progress', saga_id: 3, value: null }],
    ['a chunk', { cmd: 'report_chunk', saga_id: 9, chunk: 'line 1' }],
    ['a chunk that is an array', { cmd: 'report_chunk', saga_id: 9, chunk: [1, 2, 3] }],
    ['an event', { cmd: 'report_event', name: 'file.changed', payload: { path: '/tmp/a' } }],
  ])('reads %s as it was sent', (_, frame) => {
    expect(parseHostInbound(encodeHostInbound(frame))).toEqual({ ok: true, frame })
    // The same frame spelled with its keys in another order takes the schema path: same answer.
    const reordered = json(Object.fromEntries(Object.entries(frame).reverse()))
    expect(parseHostInbound(reordered)).toEqual({ ok: true, frame })
  })

  it.each<[string, string, RegExp]>([
    ['progress without a value', json({ cmd: 'report_progress', saga_id: 3 }), /missing field `value`/],
    ['progress without a saga id', json({ cmd: 'report_progress', value: 1 }), /missing field `saga_id`/],
    [
      'progress with a string saga id',
      json({ cmd: 'report_progress', saga_id: '3', value: 1 }),
      /`saga_id` must be a number, got "3"/,
    ],
    ['a chunk without its chunk', json({ cmd: 'report_chunk', saga_id: 3 }), /missing field `chunk`/],
    [
      'a chunk with a negative saga id',
      json({ cmd: 'report_chunk', saga_id: -1, chunk: 1 }),
      /`saga_id` is invalid/,
    ],
    ['an event without a name', json({ cmd: 'report_event', payload: 1 }), /missing field `name`/],
    ['an event with an empty name', json({ cmd: 'report_event', name: '', payload: 1 }), /`name` is invalid/],
    [
      'an event with a numeric name',
      json({ cmd: 'report_event', name: 7, payload: 1 }),
      /`name` must be a string, got 7/,
    ],
    ['an event without a payload', json({ cmd: 'report_event', name: 'tick' }), /missing field `payload`/],
  ])('refuses %s, naming the field', (_, line, message) => {
    const parsed = parseHostInbound(line)
    expect(parsed).toMatchObject({ ok: false, code: 'invalid_command' })
    expect(!parsed.ok && parsed.message).toMatch(message)
  })
})

describe('stream credit and the stream window (launcher → host)', () => {
  it('reads a stream_credit control frame', () => {
    const line = encodeControlFrame({ cmd: 'stream_credit', saga_id: 5, credit: 4 })
    expect(line).toBe('{"kind":"command","cmd":"stream_credit","saga_id":5,"credit":4}')
    expect(parseHostBound(line)).toEqual({
      ok: true,
      frame: { kind: 'control', command: { cmd: 'stream_credit', saga_id: 5, credit: 4 } },
    })
  })

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no credit', { saga_id: 5 }, /missing field `credit`/],
    ['a credit of 0', { saga_id: 5, credit: 0 }, /`credit` is invalid/],
    ['a fractional credit', { saga_id: 5, credit: 1.5 }, /`credit`/],
    ['a string credit', { saga_id: 5, credit: '2' }, /`credit` must be a number, got "2"/],
    ['no saga id', { credit: 2 }, /missing field `saga_id`/],
  ])('refuses a stream_credit with %s, naming the field', (_, fields, message) => {
    const parsed = parseHostBound(json({ kind: 'command', cmd: 'stream_credit', ...fields }))
    expect(parsed).toMatchObject({ ok: false, code: 'invalid_command' })
    expect(!parsed.ok && parsed.message).toMatch(message)
  })

  it('reads stream_window in registered, and refuses a window of 0', () => {
    const registered = {
      event: 'registered',
      client_id: 1,
      launcher_pid: 2,
      launcher_version: '1',
      stream_window: 16,
      version: 3,
    }
    expect(parseHostBound(json(registered))).toEqual({
      ok: true,
      frame: { kind: 'event', event: registered },
    })
    const parsed = parseHostBound(json({ ...registered, stream_window: 0 }))
    expect(parsed).toMatchObject({ ok: false, code: 'invalid_command' })
    expect(!parsed.ok && parsed.message).toMatch(/`stream_window` is invalid/)
  })
})
