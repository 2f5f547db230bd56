// An output the wire cannot carry fails only its call, naming the field; the host stays up and
// serves the next call.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DefinedCommandDispatcher } from '../../src/main/host/defined-command-dispatcher'
import { HostRuntime } from '../../src/main/host/host-runtime'
import { silentLogger } from '../../src/main/host-pipe'
import { defineCommands } from '../../src/shared/define-commands'
import { MAX_FRAME_BYTES, parseHostBoundBySchema } from '../../src/shared/protocol'
import { FakeConnection } from '../support/ipc-fake-connection'
import { settle } from '../support/memory-writer'

function cyclic(): object {
  const o: Record<string, unknown> = {}
  o.self = o
  return o
}

const outputs: Record<string, () => unknown> = {
  bigint: () => ({ total: 10n }),
  cycle: () => ({ graph: cyclic() }),
  fn: () => ({ callback: () => 1 }),
  symbol: () => ({ tag: Symbol('t') }),
  date: () => ({ at: new Date(0) }),
  map: () => ({ index: new Map([[1, 2]]) }),
  set: () => ({ seen: new Set([1]) }),
  nan: () => ({ ratio: NaN }),
  instance: () => ({ point: new (class Point {})() }),
  huge: () => ({ text: 'x'.repeat(MAX_FRAME_BYTES) }),
}

function startHost(which: () => string) {
  const conn = new FakeConnection('launcher')
  const runtime = new HostRuntime({
    connection: conn,
    token: 'tok',
    log: silentLogger,
    pid: 1,
    handlers: new DefinedCommandDispatcher(
      defineCommands({
        produce: { input: z.object({}), output: z.any() },
        ok: { input: z.object({}), output: z.object({ fine: z.boolean() }) },
      }),
      { produce: () => outputs[which()]!(), ok: () => ({ fine: true }) },
    ),
    loadSchemaParser: () => Promise.resolve(parseHostBoundBySchema),
  })
  runtime.start()
  conn.receive({ event: 'registered', client_id: 1, launcher_pid: 1, launcher_version: '1', version: 1 })
  return conn
}

describe('an output the wire cannot carry', () => {
  it.each<[string, string | RegExp]>([
    ['bigint', 'output is not encodable: output.total is a BigInt'],
    ['cycle', 'output is not encodable: output.graph.self is a cycle (it contains itself)'],
    ['fn', 'output is not encodable: output.callback is a function'],
    ['symbol', 'output is not encodable: output.tag is a symbol'],
    ['date', 'output is not encodable: output.at is a Date'],
    ['map', 'output is not encodable: output.index is a Map'],
    ['set', 'output is not encodable: output.seen is a Set'],
    ['nan', 'output is not encodable: output.ratio is NaN'],
    ['instance', 'output is not encodable: output.point is an instance of Point'],
    [
      'huge',
      /^output of `produce` is 1,048,[0-9]{3} bytes once encoded; the launcher's frame limit is 1,048,576$/,
    ],
  ])('(%s) fails only its call, and the next call on the host succeeds', async (which, reason) => {
    const conn = startHost(() => which)
    await settle()
    conn.receive({ kind: 'command', seq: 1, cmd: 'produce', saga_id: 1 })
    conn.receive({ kind: 'command', seq: 2, cmd: 'ok', saga_id: 2 })
    await settle()
    expect(conn.frames().slice(1)).toEqual([
      {
        cmd: 'report_saga_action_failed',
        saga_id: 1,
        reason: typeof reason === 'string' ? reason : expect.stringMatching(reason),
      },
      { cmd: 'report_result', saga_id: 2, output: { fine: true } },
      { cmd: 'ack', seq: 2 },
    ])
    expect(conn.isClosed).toBe(false)
  })
})
