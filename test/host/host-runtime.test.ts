import { describe, expect, it } from 'vitest'
import type { CommandDispatcher } from '../../src/main/host/defined-command-dispatcher'
import { HOST_VERSION } from '../../src/main/host/host-config'
import { HostRuntime } from '../../src/main/host/host-runtime'
import { silentLogger } from '../../src/main/host-pipe'
import { FakeConnection } from '../support/ipc-fake-connection'
import { demoDispatcher } from '../support/demo-dispatcher'
import { settle } from '../support/memory-writer'

function start(handlers: CommandDispatcher = demoDispatcher()) {
  const conn = new FakeConnection('launcher')
  const runtime = new HostRuntime({ connection: conn, token: 'tok', log: silentLogger, pid: 321, handlers })
  const exits: number[] = []
  runtime.onEnd((code) => exits.push(code))
  runtime.start()
  const registered = { event: 'registered', client_id: 1, launcher_pid: 1, launcher_version: '1', version: 1 }
  return { conn, runtime, exits, registered }
}

describe('HostRuntime', () => {
  it('sends register first, as a host with features ack and deadline and its token', () => {
    const { conn } = start()
    expect(conn.frames()).toEqual([
      {
        cmd: 'register',
        kind: 'host',
        pid: 321,
        version: HOST_VERSION,
        token: 'tok',
        features: ['ack', 'deadline'],
      },
    ])
  })

  it('registers a standby with role standby and its spawn id (HOSTPIPE_ROLE, HOSTPIPE_SPAWN_ID)', () => {
    const conn = new FakeConnection('launcher')
    const runtime = new HostRuntime({
      connection: conn,
      token: 'tok',
      log: silentLogger,
      pid: 321,
      spawnId: '7',
      role: 'standby',
      handlers: demoDispatcher(),
    })
    runtime.start()
    expect(conn.frames()[0]).toMatchObject({ cmd: 'register', spawn_id: '7', role: 'standby' })
  })

  it('answers a probe without seq at once, ahead of a command still running', async () => {
    let finish!: () => void
    const handlers = demoDispatcher({
      spawn_pool_window: () =>
        new Promise((resolve) => {
          finish = () => resolve({ label: 'w' })
        }),
    })
    const { conn, registered } = start(handlers)
    conn.receive(registered)
    conn.receive({ kind: 'command', seq: 1, cmd: 'spawn_pool_window', saga_id: 1 })
    conn.receive({ kind: 'command', seq: 2, cmd: 'spawn_pool_window', saga_id: 2 })
    await settle()
    conn.receive({ kind: 'command', cmd: 'probe_ui_thread', nonce: 77 })
    expect(conn.frames().slice(1)).toEqual([{ cmd: 'report_ui_thread_alive', nonce: 77 }])
    finish()
    await settle()
    expect(conn.frames().at(-1)).toEqual({ cmd: 'ack', seq: 1 })
  })

  it('handles cancel_saga as soon as it reads it: the queued command is skipped and reported cancelled', async () => {
    let finish!: () => void
    const handlers = demoDispatcher({
      spawn_pool_window: () =>
        new Promise((resolve) => {
          finish = () => resolve({ label: 'w' })
        }),
    })
    const { conn, registered } = start(handlers)
    conn.receive(registered)
    conn.receive({ kind: 'command', seq: 1, cmd: 'spawn_pool_window', saga_id: 1 })
    conn.receive({ kind: 'command', seq: 2, cmd: 'reap_panes', label: 'w', saga_id: 2 })
    await settle()
    conn.receive({ kind: 'command', cmd: 'cancel_saga', saga_id: 2 })
    expect(conn.frames().slice(1)).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 2, reason: 'cancelled' },
    ])
    finish()
    await settle()
    expect(conn.frames().slice(2)).toEqual([
      { cmd: 'report_pool_window_added', label: 'w', saga_id: 1 },
      { cmd: 'ack', seq: 1 },
      { cmd: 'ack', seq: 2 },
    ])
  })

  it('executes enveloped commands and ignores raw events and bad frames', async () => {
    const { conn, registered } = start()
    conn.receive(registered)
    conn.receive({ event: 'saga_started', saga_id: 1, name: 'x', version: 2 })
    conn.receive('not json')
    conn.receive({ kind: 'command', seq: 4, cmd: 'spawn_pool_window', saga_id: 1 })
    await settle()
    expect(conn.frames().slice(1)).toEqual([
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 },
      { cmd: 'ack', seq: 4 },
    ])
  })

  it('ends with code 0 when the launcher closes the connection of a registered host', () => {
    const { conn, exits, registered } = start()
    conn.receive(registered)
    conn.endByPeer()
    expect(exits).toEqual([0])
  })

  it('ends with code 1 when the launcher refused it or closed it before registering', () => {
    const refused = start()
    refused.conn.receive({ event: 'error', code: 'unauthorized', message: 'no', fatal: true, version: 0 })
    refused.conn.endByPeer()
    expect(refused.exits).toEqual([1])
    const unanswered = start()
    unanswered.conn.endByPeer()
    expect(unanswered.exits).toEqual([1])
  })

  it('says goodbye and closes when stopped, ending with code 0', () => {
    const { conn, runtime, exits } = start()
    runtime.stop('SIGTERM')
    expect(conn.lastFrame()).toEqual({ cmd: 'goodbye' })
    expect(conn.isClosed).toBe(true)
    expect(exits).toEqual([0])
  })

  it('closes the connection when the launcher sends an over-long frame', () => {
    const { conn } = start()
    conn.receiveTooLarge(2_000_000)
    expect(conn.isClosed).toBe(true)
  })
})
