import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodeControlFrame,
  encodeEvent,
  encodeHostFrame,
  encodeHostInbound,
  encodeLine,
  parseHostBound,
  parseHostInbound,
  type Command,
  type ControlCommand,
  type Event,
  type HostInbound,
} from '../../src/shared/protocol'

const id = fc.nat({ max: 2 ** 40 })
const label = fc.string({ minLength: 1, maxLength: 40 })
const text = fc.string({ maxLength: 80 })

const deadline = fc.nat({ max: 2 ** 45 })
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record(
    { cmd: fc.constant('spawn_pool_window' as const), saga_id: id, deadline },
    { requiredKeys: ['cmd'] },
  ),
  fc.record(
    { cmd: fc.constant('reap_panes' as const), label, saga_id: id, deadline },
    { requiredKeys: ['cmd', 'label'] },
  ),
  fc.record(
    { cmd: fc.constant('drain_pool_if_last' as const), label, saga_id: id, deadline },
    { requiredKeys: ['cmd', 'label'] },
  ),
  fc.record({ cmd: fc.constant('probe_ui_thread' as const), nonce: id }),
)

const control: fc.Arbitrary<ControlCommand> = fc.oneof(
  fc.record({ cmd: fc.constant('probe_ui_thread' as const), nonce: id }),
  fc.record({ cmd: fc.constant('cancel_saga' as const), saga_id: id }),
  fc.record({
    cmd: fc.constant('stream_credit' as const),
    saga_id: id,
    credit: fc.integer({ min: 1, max: 2 ** 40 }),
  }),
)

const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record(
    {
      event: fc.constant('registered' as const),
      client_id: id,
      launcher_pid: id,
      launcher_version: text,
      unresponsive_ms: id,
      stream_window: fc.integer({ min: 1, max: 2 ** 40 }),
      version: id,
    },
    { requiredKeys: ['event', 'client_id', 'launcher_pid', 'launcher_version', 'version'] },
  ),
  fc.record({ event: fc.constant('saga_started' as const), saga_id: id, name: text, version: id }),
  fc.record({ event: fc.constant('saga_completed' as const), saga_id: id, version: id }),
  fc.record({ event: fc.constant('saga_failed' as const), saga_id: id, reason: text, version: id }),
  fc.record({ event: fc.constant('pool_window_added' as const), label, saga_id: id, version: id }),
  fc.record({ event: fc.constant('panes_reaped' as const), label, saga_id: id, version: id }),
  fc.record({ event: fc.constant('pool_drained' as const), label, saga_id: id, version: id }),
  fc.record({ event: fc.constant('pool_not_last' as const), label, saga_id: id, version: id }),
  fc.record({ event: fc.constant('pong' as const), nonce: id, version: id }),
  fc.record({
    event: fc.constant('error' as const),
    code: fc.constantFrom(
      'invalid_command',
      'not_registered',
      'already_registered',
      'unauthorized',
      'frame_too_large',
    ) as fc.Arbitrary<'invalid_command'>,
    message: text,
    fatal: fc.boolean(),
    version: id,
  }),
)

/** A JSON value as JSON carries it: `-0` arrives as `0`, so it is generated that way. */
const jsonCarried = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown)

const inbound: fc.Arbitrary<HostInbound> = fc.oneof(
  fc.record({
    cmd: fc.constant('register' as const),
    kind: fc.constantFrom('host' as const, 'tool' as const),
    pid: id,
    version: text,
    token: text,
    features: fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
  }),
  fc.record({ cmd: fc.constant('ack' as const), seq: id }),
  fc.record({ cmd: fc.constant('report_pool_window_added' as const), label, saga_id: id }),
  fc.record({ cmd: fc.constant('report_panes_reaped' as const), label, saga_id: id }),
  fc.record({
    cmd: fc.constant('report_pool_drain_decision' as const),
    label,
    was_last: fc.boolean(),
    saga_id: id,
  }),
  fc.record({ cmd: fc.constant('report_saga_action_failed' as const), saga_id: id, reason: text }),
  fc.record({
    cmd: fc.constant('report_progress' as const),
    saga_id: id,
    value: jsonCarried,
  }),
  fc.record({ cmd: fc.constant('report_chunk' as const), saga_id: id, chunk: jsonCarried }),
  fc.record({
    cmd: fc.constant('report_event' as const),
    name: fc.string({ minLength: 1, maxLength: 64 }),
    payload: jsonCarried,
  }),
  fc.record({ cmd: fc.constant('report_ui_thread_alive' as const), nonce: id }),
  fc.record({ cmd: fc.constant('ping' as const), nonce: id }),
  fc.record({ cmd: fc.constant('goodbye' as const) }),
)

describe('protocol round trips', () => {
  it('parses every host → launcher frame it encodes, from a string and from its bytes', () => {
    fc.assert(
      fc.property(inbound, (frame) => {
        const line = encodeHostInbound(frame)
        expect(line).not.toContain('\n')
        expect(parseHostInbound(line)).toEqual({ ok: true, frame })
        const bytes = encodeLine(line)
        expect(parseHostInbound(bytes.subarray(0, bytes.length - 1))).toEqual({ ok: true, frame })
      }),
    )
  })

  it('parses every command frame it encodes, envelope fields first', () => {
    fc.assert(
      fc.property(command, id, (cmd, seq) => {
        const line = encodeHostFrame({ kind: 'command', seq, ...cmd })
        expect(line.startsWith(`{"kind":"command","seq":${seq},"cmd":"${cmd.cmd}"`)).toBe(true)
        expect(parseHostBound(line)).toEqual({ ok: true, frame: { kind: 'command', seq, command: cmd } })
      }),
    )
  })

  it('parses every control frame it encodes: the command envelope without seq', () => {
    fc.assert(
      fc.property(control, (cmd) => {
        const line = encodeControlFrame(cmd)
        expect(line.startsWith(`{"kind":"command","cmd":"${cmd.cmd}"`)).toBe(true)
        expect(line).not.toContain('"seq"')
        expect(parseHostBound(line)).toEqual({ ok: true, frame: { kind: 'control', command: cmd } })
      }),
    )
  })

  it('parses every event it encodes, raw and enveloped', () => {
    fc.assert(
      fc.property(event, (e) => {
        expect(parseHostBound(encodeEvent(e))).toEqual({ ok: true, frame: { kind: 'event', event: e } })
        const enveloped = encodeHostFrame({ kind: 'event', ...e })
        expect(enveloped.startsWith('{"kind":"event",')).toBe(true)
        expect(parseHostBound(enveloped)).toEqual({ ok: true, frame: { kind: 'event', event: e } })
      }),
    )
  })

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 }), fc.json()), (input) => {
        const a = parseHostInbound(input)
        const b = parseHostBound(input)
        for (const r of [a, b]) if (!r.ok) expect(r.message.length).toBeGreaterThan(0)
      }),
      { numRuns: 500 },
    )
  })
})
