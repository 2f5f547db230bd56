import { describe, expect, it, vi } from 'vitest'
import { HostPipeError } from '../../src/main/host-pipe'
import { LauncherServer, type LauncherServerPipe } from '../../src/main/ipc/launcher-server'
import { takeUnexpectedErrors } from '../support/unexpected-errors'
import { settle } from '../support/memory-writer'
import { FakeConnection } from '../support/ipc-fake-connection'
import { API_TOKEN, commandsOf, makeServer, TOKEN } from '../support/ipc-server-harness'

describe('LauncherServer: the host connection', () => {
  it('sends `registered` before the commands buffered while no host was there, in FIFO order', async () => {
    const { pipe, connectHost } = makeServer()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'w1', saga_id: 2 })
    const host = connectHost()
    await settle()
    const frames = host.frames()
    expect(frames[0]).toMatchObject({ event: 'registered' })
    expect(commandsOf(host).map((f) => f.saga_id)).toEqual([1, 2])
    expect(pipe.snapshot()).toMatchObject({ connected: true, pending: 0, sessionId: 1 })
  })

  it('routes acks from the host to HostPipe', async () => {
    const { pipe, connectHost } = makeServer()
    const host = connectHost()
    for (let i = 1; i <= 3; i++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: i })
    expect(pipe.snapshot().inFlight).toBe(3)
    const lastSeq = commandsOf(host).at(-1)!.seq as number
    host.receive({ cmd: 'ack', seq: lastSeq })
    expect(pipe.snapshot()).toMatchObject({ inFlight: 0, counters: expect.objectContaining({ acked: 3 }) })
  })

  it('sets the writer without acks for a host that did not register with feature `ack`', async () => {
    const { pipe, connectHost } = makeServer()
    connectHost({ features: [] })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await settle()
    expect(pipe.snapshot().inFlight).toBe(0)
  })

  it('hands saga reports of the current host on in order, and counts every frame of it for liveness', () => {
    const { connectHost, reports, hostFrames } = makeServer()
    const host = connectHost()
    host.receive({ cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 })
    host.receive({ cmd: 'report_panes_reaped', label: 'w1', saga_id: 2 })
    host.receive({ cmd: 'report_pool_drain_decision', label: 'w1', was_last: true, saga_id: 3 })
    host.receive({ cmd: 'report_saga_action_failed', saga_id: 4, reason: 'no' })
    host.receive({ cmd: 'report_ui_thread_alive', nonce: 9 })
    expect(reports.map((r) => r.saga_id)).toEqual([1, 2, 3, 4])
    // The probe's answer is no report; what it proves (the host's loop turns) is that it came.
    expect(hostFrames).toHaveLength(5)
    expect(host.events('error')).toEqual([])
  })

  it('answers ping with pong carrying the same nonce and a fresh version', () => {
    const { connectHost } = makeServer()
    const host = connectHost()
    host.receive({ cmd: 'ping', nonce: 41 })
    host.receive({ cmd: 'ping', nonce: 42 })
    const pongs = host.events('pong')
    expect(pongs.map((p) => p.nonce)).toEqual([41, 42])
    expect(pongs[1]!.version as number).toBeGreaterThan(pongs[0]!.version as number)
  })

  it('clears the writer and reports the host gone when it says goodbye, and closes its connection', () => {
    const { pipe, connectHost, hostsGone } = makeServer()
    const host = connectHost({ pid: 5 })
    host.receive({ cmd: 'goodbye' })
    expect(pipe.snapshot().connected).toBe(false)
    expect(host.isClosed).toBe(true)
    expect(hostsGone).toEqual([
      {
        clientId: 1,
        pid: 5,
        sessionId: 1,
        features: ['ack'],
        spawnId: undefined,
        slot: 0,
        reason: 'goodbye',
      },
    ])
  })

  it('clears the writer and reports the host gone when its connection ends', async () => {
    const { pipe, connectHost, hostsGone, emitted } = makeServer()
    const host = connectHost()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 7 })
    host.endByPeer('eof')
    expect(pipe.snapshot().connected).toBe(false)
    expect(hostsGone).toHaveLength(1)
    expect(hostsGone[0]!.reason).toBe('eof')
    // Unacked work of a host that left is failed, never replayed (HostPipe's rule).
    expect(emitted).toEqual([expect.objectContaining({ event: 'saga_failed', saga_id: 7 })])
  })

  it('lets a second host replace the first: new session, old connection closed, no host-gone', async () => {
    const { pipe, connectHost, hostsRegistered, hostsGone } = makeServer()
    const first = connectHost({ pid: 1 })
    const second = connectHost({ pid: 2 })
    expect(first.isClosed).toBe(true)
    expect(second.isClosed).toBe(false)
    expect(hostsRegistered.map((h) => [h.pid, h.sessionId])).toEqual([
      [1, 1],
      [2, 2],
    ])
    expect(hostsGone).toEqual([])
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 3 })
    expect(commandsOf(second)).toHaveLength(1)
    expect(commandsOf(first)).toHaveLength(0)
    expect(pipe.snapshot()).toMatchObject({ connected: true, sessionId: 2 })
  })

  it('ignores acks and reports from a host that was replaced', async () => {
    const { pipe, server, reports } = makeServer()
    // A first host whose connection lingers after it was replaced (its close is still on the way).
    const first = new (class extends FakeConnection {
      override close(): void {
        this.closeCalls++
      }
    })()
    server.attach(first)
    first.receive({ cmd: 'register', kind: 'host', pid: 1, version: '1', token: TOKEN, features: ['ack'] })
    const second = new FakeConnection()
    server.attach(second)
    second.receive({ cmd: 'register', kind: 'host', pid: 2, version: '1', token: TOKEN, features: ['ack'] })
    expect(first.closeCalls).toBe(1)
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 5 })
    const seq = commandsOf(second)[0]!.seq as number
    first.receive({ cmd: 'ack', seq })
    first.receive({ cmd: 'report_pool_window_added', label: 'w1', saga_id: 5 })
    expect(pipe.snapshot().inFlight).toBe(1)
    expect(reports).toEqual([])
    first.endByPeer()
    expect(pipe.snapshot().connected).toBe(true)
    second.receive({ cmd: 'ack', seq })
    expect(pipe.snapshot().inFlight).toBe(0)
  })

  it('counts an ack for a seq not in flight as ignored, without failing the connection', () => {
    const { pipe, connectHost } = makeServer()
    const host = connectHost()
    host.receive({ cmd: 'ack', seq: 999 })
    expect(pipe.snapshot().counters.ignoredAcks).toBe(1)
    expect(host.isClosed).toBe(false)
    expect(host.events('error')).toEqual([])
  })

  it('fans broadcast events out as raw events to a host that announces no hostpipe feature (AgentMux)', async () => {
    const { connectHost, server } = makeServer()
    const host = connectHost({ features: [] })
    server.broadcast({ event: 'saga_started', saga_id: 1, name: 'spawn', version: 50 })
    await settle()
    expect(host.lastFrame()).toEqual({ event: 'saga_started', saga_id: 1, name: 'spawn', version: 50 })
  })

  it('fans broadcast events out to a hostpipe host only when it asks with feature `bus_events`', async () => {
    const { connectHost, server } = makeServer()
    const host = connectHost({ features: ['ack', 'deadline', 'bus_events'] })
    server.broadcast({ event: 'saga_started', saga_id: 1, name: 'spawn', version: 50 })
    await settle()
    expect(host.events('saga_started')).toEqual([
      { event: 'saga_started', saga_id: 1, name: 'spawn', version: 50 },
    ])
  })

  it('writes no bus event to a host that announces hostpipe features without `bus_events`', async () => {
    const { connectHost, server } = makeServer()
    const host = connectHost({ features: ['ack', 'deadline'] })
    server.broadcast({ event: 'saga_started', saga_id: 1, name: 'spawn', version: 50 })
    await settle()
    expect(host.events('saga_started')).toEqual([])
  })

  it('does not write events to the host when fanoutToHost is off', async () => {
    const { connectHost, server } = makeServer({ fanoutToHost: false })
    const host = connectHost()
    server.broadcast({ event: 'saga_started', saga_id: 1, name: 'spawn', version: 50 })
    await settle()
    expect(host.events('saga_started')).toEqual([])
  })

  it('stops a host fanout quietly once HostPipe calls its session stale', async () => {
    const sendEventForSession = vi.fn(() => Promise.reject(new HostPipeError('STALE_SESSION', 'stale')))
    const hostPipe: LauncherServerPipe = {
      setWriter: () => Promise.resolve(1),
      clearWriter: () => undefined,
      ack: () => undefined,
      sendEventForSession,
      snapshot: () => ({ sessionId: 1 }) as ReturnType<LauncherServerPipe['snapshot']>,
    }
    const warn = vi.fn()
    const server = new LauncherServer({
      hostPipe,
      hostToken: TOKEN,
      apiToken: API_TOKEN,
      nextVersion: () => 1,
      launcherVersion: '1',
      log: { debug: vi.fn(), info: vi.fn(), warn, error: warn },
    })
    const host = new FakeConnection()
    server.attach(host)
    host.receive({ cmd: 'register', kind: 'host', pid: 1, version: '1', token: TOKEN, features: [] })
    server.broadcast({ event: 'saga_completed', saga_id: 1, version: 2 })
    await settle()
    server.broadcast({ event: 'saga_completed', saga_id: 2, version: 3 })
    expect(sendEventForSession).toHaveBeenCalledTimes(1)
    expect(warn).not.toHaveBeenCalled()
    server.dispose()
  })

  it('never sends host commands to tools', async () => {
    const { pipe, connectHost, connectTool } = makeServer()
    const tool = connectTool()
    connectHost()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    expect(commandsOf(tool)).toEqual([])
  })

  it('survives a listener that throws, and reports it as unexpected', () => {
    const { connectHost, pipe, server } = makeServer()
    const boom = new Error('boom')
    server.onDidReceiveReport(() => {
      throw boom
    })
    const host = connectHost()
    host.receive({ cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 })
    host.receive({ cmd: 'ping', nonce: 1 })
    expect(host.lastFrame()).toMatchObject({ event: 'pong' })
    expect(pipe.snapshot().connected).toBe(true)
    expect(takeUnexpectedErrors()).toEqual([boom])
  })
})
