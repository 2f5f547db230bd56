// A report goes out as the bytes JSON.stringify writes for it, in the order the launcher reads fastest.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DefinedCommandDispatcher } from '../../src/main/host/defined-command-dispatcher'
import { HostRuntime } from '../../src/main/host/host-runtime'
import { silentLogger } from '../../src/main/host-pipe'
import { defineCommands } from '../../src/shared/define-commands'
import { parseHostBoundBySchema } from '../../src/shared/protocol'
import { FakeConnection } from '../support/ipc-fake-connection'
import { settle } from '../support/memory-writer'

const bare = Object.create(null) as Record<string, unknown>
bare.z = 1
bare.a = 'x'

const outputs: Record<string, unknown> = {
  flat: { sum: 3, name: 'ok', yes: true, no: false, none: null },
  empty: {},
  escapes: { s: 'quote " backslash \\ newline \n tab \t nul \u0000 é 😀 \u2028' },
  numbers: { zero: -0, tiny: 5e-324, big: 1e21, float: 0.1 + 0.2, neg: -42 },
  nested: { list: [1, 'two', { three: [null, true] }], inner: { deep: { x: 1 } } },
  leftOut: { gone: undefined, kept: 1 },
  integerKeys: { b: 1, 10: 'ten', 2: 'two' },
  nullPrototype: bare,
  null: null,
  array: [1, { a: 2 }],
  string: 'text',
  number: 42,
  boolean: false,
}

function startHost(perCallAcks: boolean) {
  const conn = new FakeConnection('launcher')
  const commands = defineCommands({ produce: { input: z.object({ which: z.string() }), output: z.any() } })
  const runtime = new HostRuntime({
    connection: conn,
    token: 'tok',
    log: silentLogger,
    pid: 1,
    perCallAcks,
    handlers: new DefinedCommandDispatcher(commands, { produce: ({ which }) => outputs[which] }),
    loadSchemaParser: () => Promise.resolve(parseHostBoundBySchema),
  })
  runtime.start()
  conn.receive({ event: 'registered', client_id: 1, launcher_pid: 1, launcher_version: '1', version: 1 })
  return conn
}

describe('a report_result line', () => {
  it.each([false, true])(
    'is the bytes JSON.stringify writes for the frame, for every kind of output (per-call acks: %s)',
    async (perCallAcks) => {
      const conn = startHost(perCallAcks)
      const names = Object.keys(outputs)
      names.forEach((which, i) =>
        conn.receive({ kind: 'command', seq: i + 1, cmd: 'produce', saga_id: i + 1, which }),
      )
      await settle()
      const reports = conn.sent.filter((line) => line.startsWith('{"cmd":"report_result"'))
      expect(reports).toEqual(
        names.map((which, i) =>
          JSON.stringify({
            cmd: 'report_result',
            saga_id: i + 1,
            output: outputs[which],
            ...(perCallAcks ? { seq: i + 1 } : {}),
          }),
        ),
      )
    },
  )
})
