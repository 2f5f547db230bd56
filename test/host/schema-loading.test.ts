import { describe, expect, it } from 'vitest'
import { HostRuntime, MAX_HELD_BYTES, type HostBoundParser } from '../../src/main/host/host-runtime'
import { silentLogger } from '../../src/main/host-pipe'
import { parseHostBoundBySchema } from '../../src/shared/protocol'
import { FakeConnection } from '../support/ipc-fake-connection'
import { demoDispatcher } from '../support/demo-dispatcher'
import { settle } from '../support/memory-writer'

const registered = { event: 'registered', client_id: 1, launcher_pid: 1, launcher_version: '1', version: 1 }
// A label spelled with an escaped surrogate pair: valid, but the fast path leaves it to the schemas.
const ESCAPED_LABEL_FRAME =
  '{"kind":"command","seq":1,"cmd":"reap_panes","label":"\\ud83d\\ude00","saga_id":1}'

/** A host whose schemas load only when the test says so. */
function startWithSlowSchemas() {
  const conn = new FakeConnection('launcher')
  let load!: (parser: HostBoundParser) => void
  let fail!: (err: Error) => void
  let loads = 0
  const runtime = new HostRuntime({
    connection: conn,
    token: 'tok',
    log: silentLogger,
    pid: 321,
    handlers: demoDispatcher(),
    loadSchemaParser: () => {
      loads++
      return new Promise((resolve, reject) => {
        load = resolve
        fail = reject
      })
    },
  })
  const exits: number[] = []
  runtime.onEnd((code) => exits.push(code))
  runtime.start()
  return {
    conn,
    exits,
    loads: () => loads,
    loadSchemas: () => load(parseHostBoundBySchema),
    failSchemas: (err: Error) => fail(err),
  }
}

describe('HostRuntime while its schemas load', () => {
  it('starts loading the schemas right after register, and serves built-in commands before they are there', async () => {
    const { conn, loads } = startWithSlowSchemas()
    expect(conn.frames()).toHaveLength(1)
    expect(conn.frames()[0]).toMatchObject({ cmd: 'register' })
    expect(loads()).toBe(1)
    conn.receive(registered)
    conn.receive({
      kind: 'command',
      seq: 1,
      cmd: 'spawn_pool_window',
      saga_id: 1,
      deadline: Date.now() + 60_000,
    })
    await settle()
    expect(conn.frames().slice(1)).toEqual([
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 },
      { cmd: 'ack', seq: 1 },
    ])
  })

  it('holds a frame only the schemas can read, and every frame after it, then handles them in arrival order', async () => {
    const { conn, loadSchemas } = startWithSlowSchemas()
    conn.receive(registered)
    const bytes = new TextEncoder().encode(ESCAPED_LABEL_FRAME)
    conn.receive(bytes)
    // The transport's bytes are only lent for the call: the held frame must be a copy.
    bytes.fill(0x20)
    conn.receive({ kind: 'command', seq: 2, cmd: 'spawn_pool_window', saga_id: 2 })
    conn.receive({ kind: 'command', cmd: 'probe_ui_thread', nonce: 5 })
    await settle()
    expect(conn.frames()).toHaveLength(1)
    loadSchemas()
    await settle()
    expect(conn.frames().slice(1)).toEqual([
      { cmd: 'report_ui_thread_alive', nonce: 5 },
      { cmd: 'report_panes_reaped', label: '😀', saga_id: 1 },
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 2 },
      { cmd: 'ack', seq: 2 },
    ])
  })

  it('still ignores a bad frame, with the schemas’ verdict, once they are loaded', async () => {
    const { conn, loadSchemas } = startWithSlowSchemas()
    conn.receive(registered)
    conn.receive('{"kind":"command","seq":1,"cmd":"reap_panes"}')
    conn.receive({ kind: 'command', seq: 2, cmd: 'spawn_pool_window', saga_id: 2 })
    loadSchemas()
    await settle()
    expect(conn.frames().slice(1)).toEqual([
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 2 },
      { cmd: 'ack', seq: 2 },
    ])
  })

  it('closes the connection rather than hold more than MAX_HELD_BYTES', () => {
    const { conn } = startWithSlowSchemas()
    // No label: only the schemas can judge it, so it is held while they load.
    const big = '{"kind":"command","seq":1,"cmd":"reap_panes","pad":"' + 'x'.repeat(1000 * 1000) + '"}'
    for (let i = 0; i * big.length <= MAX_HELD_BYTES && !conn.isClosed; i++) conn.receive(big)
    expect(conn.isClosed).toBe(true)
  })

  it('closes the connection when the schemas cannot be loaded', async () => {
    const { conn, failSchemas, exits } = startWithSlowSchemas()
    failSchemas(new Error('no such chunk'))
    await settle()
    expect(conn.isClosed).toBe(true)
    expect(exits).toEqual([1])
  })
})
