import { describe, expect, it } from 'vitest'
import type { HostConnection } from '../../src/main/ipc/launcher-server'
import { settle } from '../support/memory-writer'
import { commandsOf, makeServer, TOKEN } from '../support/ipc-server-harness'

/** A server whose listener takes role standby as `standby`, refuses spawn id "bad". */
function standbyServer() {
  const h = makeServer()
  const standbys: Array<{ spawnId: string | undefined; pid: number; connection: HostConnection }> = []
  const lostStandbys: Array<{ spawnId: string | undefined; reason: string }> = []
  h.server.onDidAnnounceHost((r) => {
    if (r.spawnId === 'bad') return r.refuse('test')
    if (r.role !== 'standby') return
    const connection = r.accept('standby')
    standbys.push({ spawnId: r.spawnId, pid: r.pid, connection })
    connection.onDidClose((reason) => {
      if (!promoted.has(connection)) lostStandbys.push({ spawnId: r.spawnId, reason })
    })
  })
  const promoted = new Set<HostConnection>()
  const promote = (spawnId: string): boolean => {
    const s = standbys.find((x) => x.spawnId === spawnId)
    if (!s) return false
    const ok = s.connection.promote()
    if (ok) promoted.add(s.connection)
    return ok
  }
  const connectStandby = (spawnId: string, pid = 2000) => {
    const conn = h.connect()
    conn.receive({
      cmd: 'register',
      kind: 'host',
      pid,
      version: '1',
      token: TOKEN,
      features: ['ack'],
      spawn_id: spawnId,
      role: 'standby',
    })
    return conn
  }
  return { ...h, standbys, lostStandbys, connectStandby, promote }
}

describe('LauncherServer: standby hosts (ARCHITECTURE §8)', () => {
  it('registers a standby without giving it the pipe: it gets `registered` and no command', async () => {
    const h = standbyServer()
    const active = h.connectHost({ spawn_id: '1' })
    const standby = h.connectStandby('2')
    expect(standby.frames()).toContainEqual(expect.objectContaining({ event: 'registered' }))
    expect(h.standbys).toEqual([expect.objectContaining({ spawnId: '2', pid: 2000 })])
    expect(h.server.standbyCount).toBe(1)
    expect(h.server.currentHost?.spawnId).toBe('1')
    await h.pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await settle()
    expect(commandsOf(active)).toHaveLength(1)
    expect(commandsOf(standby)).toHaveLength(0)
  })

  it('promotes a standby: a new session, the buffer drains into it, and its acks and reports count', async () => {
    const h = standbyServer()
    const active = h.connectHost({ spawn_id: '1' })
    const standby = h.connectStandby('2')
    const session = h.pipe.snapshot().sessionId
    active.endByPeer()
    expect(h.hostsGone).toHaveLength(1)
    await h.pipe.sendCommand({ cmd: 'reap_panes', label: 'p', saga_id: 5 })
    expect(h.promote('2')).toBe(true)
    await settle()
    expect(h.pipe.snapshot()).toMatchObject({ connected: true, sessionId: session + 1 })
    expect(h.hostsRegistered.at(-1)).toMatchObject({ spawnId: '2', sessionId: session + 1 })
    const [cmd] = commandsOf(standby)
    expect(cmd).toMatchObject({ cmd: 'reap_panes', saga_id: 5 })
    standby.receive({ cmd: 'report_panes_reaped', label: 'p', saga_id: 5 })
    standby.receive({ cmd: 'ack', seq: cmd!.seq as number })
    expect(h.reports).toEqual([{ cmd: 'report_panes_reaped', label: 'p', saga_id: 5 }])
    expect(h.pipe.snapshot()).toMatchObject({ inFlight: 0, counters: { acked: 1 } })
    expect(h.server.standbyCount).toBe(0)
    // Once promoted, its close is the loss of the host, not of a standby.
    standby.endByPeer()
    expect(h.hostsGone.at(-1)).toMatchObject({ spawnId: '2' })
    expect(h.lostStandbys).toEqual([])
  })

  it('replaces a host still holding the pipe when a standby is promoted (its exit was seen first)', () => {
    const h = standbyServer()
    const active = h.connectHost({ spawn_id: '1' })
    h.connectStandby('2')
    expect(h.promote('2')).toBe(true)
    expect(active.isClosed).toBe(true)
    expect(h.hostsGone).toEqual([]) // replaced, as by a new registration
    expect(h.server.currentHost?.spawnId).toBe('2')
  })

  it('tells of a standby whose connection closes, and cannot promote it then', () => {
    const h = standbyServer()
    const standby = h.connectStandby('2')
    standby.endByPeer()
    expect(h.lostStandbys).toEqual([expect.objectContaining({ spawnId: '2', reason: 'eof' })])
    expect(h.promote('2')).toBe(false)
    expect(h.promote('nope')).toBe(false)
  })

  it('refuses a standby that sends a report (it was given no command)', () => {
    const h = standbyServer()
    const standby = h.connectStandby('2')
    standby.receive({ cmd: 'report_panes_reaped', label: 'p', saga_id: 1 })
    expect(standby.frames()).toContainEqual(
      expect.objectContaining({ event: 'error', code: 'invalid_command', fatal: false }),
    )
    expect(h.reports).toEqual([])
  })

  it('closes a host its admission refuses, without registering it', () => {
    const h = standbyServer()
    const conn = h.connectHost({ spawn_id: 'bad' })
    expect(conn.isClosed).toBe(true)
    expect(conn.frames()).not.toContainEqual(expect.objectContaining({ event: 'registered' }))
    expect(h.hostsRegistered).toEqual([])
    expect(h.server.unregisteredCount).toBe(0)
  })
})
