// A command the host does not define fails its saga at once (as JSON-RPC's "method not found"),
// instead of being dropped as a bad frame while the caller waits out its timeout.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DefinedCommandDispatcher } from '../../src/main/host/defined-command-dispatcher'
import { HostRuntime } from '../../src/main/host/host-runtime'
import { silentLogger } from '../../src/main/host-pipe'
import { defineCommands } from '../../src/shared/define-commands'
import { parseHostBoundBySchema } from '../../src/shared/protocol'
import { FakeConnection } from '../support/ipc-fake-connection'
import { settle } from '../support/memory-writer'

const commands = defineCommands({
  add: { input: z.object({ a: z.number(), b: z.number() }), output: z.object({ sum: z.number() }) },
})

function startAppHost(schemasLoaded = true) {
  const conn = new FakeConnection('launcher')
  const runtime = new HostRuntime({
    connection: conn,
    token: 'tok',
    log: silentLogger,
    pid: 1,
    handlers: new DefinedCommandDispatcher(commands, { add: ({ a, b }) => ({ sum: a + b }) }),
    loadSchemaParser: () =>
      schemasLoaded ? Promise.resolve(parseHostBoundBySchema) : new Promise(() => undefined),
  })
  runtime.start()
  conn.receive({ event: 'registered', client_id: 1, launcher_pid: 1, launcher_version: '1', version: 1 })
  return conn
}

describe('a command the host does not define', () => {
  it('fails its saga at once with a reason naming it, is acked, and the host goes on', async () => {
    const conn = startAppHost()
    await settle()
    conn.receive({
      kind: 'command',
      seq: 1,
      cmd: 'multiply',
      saga_id: 5,
      deadline: Date.now() + 60_000,
      a: 2,
    })
    conn.receive({ kind: 'command', seq: 2, cmd: 'add', saga_id: 6, a: 2, b: 3 })
    await settle()
    expect(conn.frames().slice(1)).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 5, reason: 'host does not define command `multiply`' },
      { cmd: 'report_result', saga_id: 6, output: { sum: 5 } },
      { cmd: 'ack', seq: 2 },
    ])
  })

  it('answers an AgentMux command the same way on a host that does not serve them, before the schemas load', async () => {
    const conn = startAppHost(false)
    conn.receive({ kind: 'command', seq: 1, cmd: 'spawn_pool_window', saga_id: 3 })
    conn.receive({ kind: 'command', seq: 2, cmd: 'reap_panes', label: 'w1', saga_id: 4 })
    await settle()
    expect(conn.frames().slice(1)).toEqual([
      {
        cmd: 'report_saga_action_failed',
        saga_id: 3,
        reason: 'host does not define command `spawn_pool_window`',
      },
      { cmd: 'report_saga_action_failed', saga_id: 4, reason: 'host does not define command `reap_panes`' },
      { cmd: 'ack', seq: 2 },
    ])
  })

  it('reads a name only the schemas can judge the same way once they are loaded', async () => {
    const conn = startAppHost()
    await settle()
    // A surrogate pair spelled as escapes: the fast path leaves the frame to the schemas.
    conn.receive('{"kind":"command","seq":1,"cmd":"old_cmd","note":"\\ud83d\\ude00","saga_id":8}')
    await settle()
    expect(conn.frames().slice(1)).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 8, reason: 'host does not define command `old_cmd`' },
      { cmd: 'ack', seq: 1 },
    ])
  })

  it('sends no report for one without a saga, which nobody waits for, and acks it', async () => {
    const conn = startAppHost()
    await settle()
    conn.receive({ kind: 'command', seq: 1, cmd: 'multiply' })
    await settle()
    expect(conn.frames().slice(1)).toEqual([{ cmd: 'ack', seq: 1 }])
  })

  it('still ignores a malformed frame (a bad envelope is not a command)', async () => {
    const conn = startAppHost()
    await settle()
    conn.receive({ kind: 'command', seq: -1, cmd: 'multiply', saga_id: 2 })
    conn.receive({ kind: 'command', seq: 2, cmd: 'multiply', saga_id: 'x' })
    conn.receive({ kind: 'command', seq: 3, cmd: 'reap_panes', saga_id: 3 })
    await settle()
    expect(conn.frames().slice(1)).toEqual([])
  })
})
