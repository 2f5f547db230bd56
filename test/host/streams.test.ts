// The host's side of progress, streams and events (docs/protocol.md#streams), through a real
// HostRuntime, dispatcher and executor over an in-memory connection.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommands } from '../../src/shared/define-commands'
import { defineEvents } from '../../src/shared/define-events'
import {
  DefinedCommandDispatcher,
  type CommandHandlersOf,
} from '../../src/main/host/defined-command-dispatcher'
import { HandlerChannel } from '../../src/main/host/handler-channel'
import { HostRuntime } from '../../src/main/host/host-runtime'
import { silentLogger } from '../../src/main/host-pipe'
import { FakeConnection } from '../support/ipc-fake-connection'
import { settle } from '../support/memory-writer'

const commands = defineCommands({
  job: {
    input: z.object({ steps: z.number() }),
    output: z.object({ ok: z.boolean() }),
    progress: z.object({ done: z.number() }),
  },
  plain: { input: z.object({}), output: z.number() },
  lines: { input: z.object({ n: z.number() }), output: z.object({ count: z.number() }), stream: z.string() },
})
const events = defineEvents({ 'file.changed': z.object({ path: z.string() }) })
type Handlers = CommandHandlersOf<typeof commands, typeof events>

const state = { resumed: 0, finallyRan: false }

const defaultHandlers: Handlers = {
  job: ({ steps }, ctx) => {
    for (let done = 1; done <= steps; done++) ctx.progress({ done })
    ctx.emit('file.changed', { path: '/a' })
    return { ok: true }
  },
  plain: () => 1,
  lines: async function* ({ n }) {
    try {
      for (let i = 0; i < n; i++) {
        state.resumed++
        yield `line ${i}`
      }
      return { count: n }
    } finally {
      state.finallyRan = true
    }
  },
}

function start(handlers: Partial<Handlers> = {}, streamWindow?: number) {
  state.resumed = 0
  state.finallyRan = false
  const conn = new FakeConnection('launcher')
  const channel = new HandlerChannel(events)
  const runtime = new HostRuntime({
    connection: conn,
    token: 'tok',
    log: silentLogger,
    pid: 321,
    perCallAcks: true,
    handlers: new DefinedCommandDispatcher(commands, { ...defaultHandlers, ...handlers }, channel),
    channel,
  })
  runtime.start()
  let isRegistered = false
  runtime.onRegistered(() => (isRegistered = true))
  conn.receive({
    event: 'registered',
    client_id: 1,
    launcher_pid: 1,
    launcher_version: '1',
    ...(streamWindow === undefined ? {} : { stream_window: streamWindow }),
    version: 1,
  })
  const sent = () => conn.frames().slice(1)
  return { conn, channel, sent, isRegistered: () => isRegistered }
}

describe('the host side of progress, streams and events', () => {
  it('registers with feature streams and tells who waits that it is registered', () => {
    const { conn, isRegistered } = start()
    expect(conn.frames()[0]).toMatchObject({ cmd: 'register', features: expect.arrayContaining(['streams']) })
    expect(isRegistered()).toBe(true)
  })

  it('sends each progress value and the events a handler emits before its report, in order', async () => {
    const { conn, sent } = start()
    conn.receive({ kind: 'command', seq: 1, cmd: 'job', saga_id: 5, steps: 3 })
    await settle()
    expect(sent()).toEqual([
      { cmd: 'report_progress', saga_id: 5, value: { done: 1 } },
      { cmd: 'report_progress', saga_id: 5, value: { done: 2 } },
      { cmd: 'report_progress', saga_id: 5, value: { done: 3 } },
      { cmd: 'report_event', name: 'file.changed', payload: { path: '/a' } },
      { cmd: 'report_result', saga_id: 5, output: { ok: true }, seq: 1 },
    ])
  })

  it('fails the call with a TypeError’s message when progress fails its schema or the command has none', async () => {
    const { conn, sent } = start({
      job: (_input, ctx) => {
        ctx.progress({ done: 'half' } as never)
        return { ok: true }
      },
      plain: (_input, ctx) => {
        ctx.progress(1 as never)
        return 1
      },
    })
    conn.receive({ kind: 'command', seq: 1, cmd: 'job', saga_id: 5, steps: 1 })
    conn.receive({ kind: 'command', seq: 2, cmd: 'plain', saga_id: 6 })
    await settle()
    expect(sent()).toEqual([
      {
        cmd: 'report_saga_action_failed',
        saga_id: 5,
        reason: expect.stringMatching(/^progress of `job` is invalid: `done`/),
        seq: 1,
      },
      {
        cmd: 'report_saga_action_failed',
        saga_id: 6,
        reason: 'progress of `plain`: the command has no `progress` schema in its definition',
        seq: 2,
      },
    ])
  })

  it('throws a TypeError at emit for an event not defined or a payload failing its schema', () => {
    const { channel, sent } = start()
    expect(() => channel.emit('file.changed', { path: 3 })).toThrow(
      new TypeError(
        'emit(`file.changed`): invalid payload: `path`: Invalid input: expected string, received number',
      ),
    )
    expect(() => channel.emit('nope', {})).toThrow(TypeError)
    expect(() => channel.emit('nope', {})).toThrow('emit(`nope`): no event of that name')
    channel.emit('file.changed', { path: '/b' })
    expect(sent()).toEqual([{ cmd: 'report_event', name: 'file.changed', payload: { path: '/b' } }])
  })

  it('sends a stream’s chunks up to the window, then one more per credit, then its result', async () => {
    const { conn, sent } = start({}, 2)
    conn.receive({ kind: 'command', seq: 1, cmd: 'lines', saga_id: 9, n: 4 })
    await settle()
    expect(state.resumed).toBe(2)
    expect(sent()).toEqual([
      { cmd: 'report_chunk', saga_id: 9, chunk: 'line 0' },
      { cmd: 'report_chunk', saga_id: 9, chunk: 'line 1' },
    ])
    conn.receive({ kind: 'command', cmd: 'stream_credit', saga_id: 9, credit: 1 })
    await settle()
    expect(state.resumed).toBe(3)
    conn.receive({ kind: 'command', cmd: 'stream_credit', saga_id: 9, credit: 2 })
    await settle()
    expect(sent().slice(2)).toEqual([
      { cmd: 'report_chunk', saga_id: 9, chunk: 'line 2' },
      { cmd: 'report_chunk', saga_id: 9, chunk: 'line 3' },
      { cmd: 'report_result', saga_id: 9, output: { count: 4 }, seq: 1 },
    ])
    expect(state.finallyRan).toBe(true)
  })

  it('uses a window of 16 when registered names none', async () => {
    const { conn, sent } = start()
    conn.receive({ kind: 'command', seq: 1, cmd: 'lines', saga_id: 9, n: 100 })
    // Every microtask runs before a macrotask: the pump has gone as far as its credit lets it.
    await new Promise((resolve) => setImmediate(resolve))
    expect(state.resumed).toBe(16)
    expect(sent()).toHaveLength(16)
  })

  it('on cancel_saga closes the stream’s generator (its finally runs) and reports it cancelled', async () => {
    const { conn, sent } = start({}, 2)
    conn.receive({ kind: 'command', seq: 1, cmd: 'lines', saga_id: 9, n: 100 })
    await settle()
    expect(state.finallyRan).toBe(false)
    conn.receive({ kind: 'command', cmd: 'cancel_saga', saga_id: 9 })
    await settle()
    expect(state.finallyRan).toBe(true)
    expect(sent().at(-1)).toEqual({
      cmd: 'report_saga_action_failed',
      saga_id: 9,
      reason: 'cancelled',
      seq: 1,
    })
    expect(sent().filter((f) => f.cmd === 'report_chunk')).toHaveLength(2)
  })

  it('fails a stream whose chunk fails its schema, naming the chunk', async () => {
    const { conn, sent } = start({
      lines: async function* () {
        yield 'fine'
        yield 42 as never
        return { count: 2 }
      },
    })
    conn.receive({ kind: 'command', seq: 1, cmd: 'lines', saga_id: 9, n: 2 })
    await settle()
    expect(sent()).toEqual([
      { cmd: 'report_chunk', saga_id: 9, chunk: 'fine' },
      {
        cmd: 'report_saga_action_failed',
        saga_id: 9,
        reason: expect.stringMatching(/^chunk 1 of `lines` is invalid: Invalid input: expected string/),
        seq: 1,
      },
    ])
  })

  it('fails a stream command whose handler is not an async generator', async () => {
    const { conn, sent } = start({ lines: (() => ({ count: 0 })) as never })
    conn.receive({ kind: 'command', seq: 1, cmd: 'lines', saga_id: 9, n: 2 })
    await settle()
    expect(sent()).toEqual([
      {
        cmd: 'report_saga_action_failed',
        saga_id: 9,
        reason: 'handler of stream command `lines` must be an async generator function',
        seq: 1,
      },
    ])
  })

  it('ignores credit for a stream that is not running', () => {
    const { conn, sent } = start()
    conn.receive({ kind: 'command', cmd: 'stream_credit', saga_id: 77, credit: 3 })
    expect(sent()).toEqual([])
  })
})
