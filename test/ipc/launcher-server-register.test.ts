import { describe, expect, it } from 'vitest'
import { frameLimitFor, MAX_FRAME_BYTES } from '../../src/shared/protocol'
import { makeServer, TOKEN } from '../support/ipc-server-harness'

describe('LauncherServer: register first', () => {
  it('answers a host that registers with the right token with `registered`', () => {
    const { connectHost, hostsRegistered } = makeServer()
    const host = connectHost({ pid: 77 })
    const reply = host.frames()[0]!
    expect(reply).toMatchObject({
      event: 'registered',
      client_id: 1,
      launcher_pid: 4242,
      launcher_version: '9.9.9',
    })
    expect(reply.version).toBeGreaterThan(0)
    expect(host.isClosed).toBe(false)
    expect(hostsRegistered).toEqual([
      { clientId: 1, pid: 77, sessionId: 1, features: ['ack'], spawnId: undefined, slot: 0 },
    ])
  })

  it('keeps the features and the spawn id a host registers with, for the launcher to match', () => {
    const { connectHost, hostsRegistered } = makeServer()
    connectHost({ pid: 8, features: ['ack', 'deadline'], spawn_id: '3' })
    expect(hostsRegistered).toEqual([
      { clientId: 1, pid: 8, sessionId: 1, features: ['ack', 'deadline'], spawnId: '3', slot: 0 },
    ])
  })

  it('gives every client its own client id', () => {
    const { connectHost, connectTool } = makeServer()
    const tool = connectTool()
    const host = connectHost()
    expect(tool.frames()[0]).toMatchObject({ event: 'registered', client_id: 1 })
    expect(host.frames()[0]).toMatchObject({ event: 'registered', client_id: 2 })
  })

  it('refuses a wrong token with a fatal `unauthorized` and closes only that connection', () => {
    const { connect, register, connectHost, pipe } = makeServer()
    const bystander = connectHost()
    const intruder = connect()
    register(intruder, { token: 'guess' })
    expect(intruder.frames()).toEqual([
      expect.objectContaining({ event: 'error', code: 'unauthorized', fatal: true, version: 0 }),
    ])
    expect(intruder.isClosed).toBe(true)
    expect(bystander.isClosed).toBe(false)
    expect(pipe.snapshot().sessionId).toBe(1)
  })

  it('refuses tokens of any length, including empty and longer than the real one', () => {
    for (const token of ['', TOKEN.slice(1), TOKEN + 'x', TOKEN.toUpperCase(), 'é'.repeat(200)]) {
      const { connect, register } = makeServer()
      const conn = connect()
      register(conn, { token })
      expect(conn.lastFrame()).toMatchObject({ event: 'error', code: 'unauthorized', fatal: true })
    }
  })

  it('closes a connection that sends a well-formed command before registering, with `not_registered`', () => {
    const { connect } = makeServer()
    for (const frame of [
      { cmd: 'ping', nonce: 1 },
      { cmd: 'ack', seq: 1 },
      { cmd: 'goodbye' },
      { cmd: 'report_ui_thread_alive', nonce: 3 },
    ]) {
      const conn = connect()
      conn.receive(frame)
      expect(conn.frames()).toEqual([
        expect.objectContaining({ event: 'error', code: 'not_registered', fatal: true, version: 0 }),
      ])
      expect(conn.isClosed).toBe(true)
    }
  })

  it('closes a connection whose first frame is invalid, with a fatal `invalid_command`', () => {
    const { connect } = makeServer()
    for (const frame of ['garbage', '[1]', '{"cmd":"fly"}', new Uint8Array([0x7b, 0xff, 0x7d])]) {
      const conn = connect()
      conn.receive(frame)
      expect(conn.frames()).toEqual([
        expect.objectContaining({ event: 'error', code: 'invalid_command', fatal: true, version: 0 }),
      ])
      expect(conn.isClosed).toBe(true)
    }
  })

  it('ranks invalid_command above not_registered and unauthorized', () => {
    const { connect } = makeServer()
    const badPing = connect()
    badPing.receive({ cmd: 'ping', nonce: 'x' })
    expect(badPing.lastFrame()).toMatchObject({ code: 'invalid_command', fatal: true })
    const badRegister = connect()
    badRegister.receive({ cmd: 'register', kind: 'host', pid: 1, token: 'wrong' })
    expect(badRegister.lastFrame()).toMatchObject({ code: 'invalid_command', fatal: true })
    expect(String(badRegister.lastFrame()?.message)).toContain('version')
  })

  it('ranks frame_too_large above everything and closes the connection, registered or not', () => {
    const { connect, connectHost } = makeServer({ maxPayloadBytes: 1024 })
    const fresh = connect()
    fresh.receiveTooLarge(MAX_FRAME_BYTES + 1)
    expect(fresh.frames()).toEqual([
      expect.objectContaining({ event: 'error', code: 'frame_too_large', fatal: true, version: 0 }),
    ])
    expect(fresh.isClosed).toBe(true)
    const host = connectHost()
    host.receive('x'.repeat(MAX_FRAME_BYTES + 1))
    expect(host.lastFrame()).toMatchObject({ code: 'frame_too_large', fatal: true })
    expect(host.isClosed).toBe(true)
  })

  it('answers invalid frames after registering with a non-fatal `invalid_command` and keeps the connection', () => {
    const { connectHost } = makeServer()
    const host = connectHost()
    host.receive('not json')
    host.receive({ cmd: 'ack', seq: -1 })
    host.receive({ cmd: 'warp' })
    const errors = host.events('error')
    expect(errors).toHaveLength(3)
    for (const e of errors) expect(e).toMatchObject({ code: 'invalid_command', fatal: false, version: 0 })
    expect(host.isClosed).toBe(false)
    host.receive({ cmd: 'ping', nonce: 5 })
    expect(host.lastFrame()).toMatchObject({ event: 'pong', nonce: 5 })
  })

  it('answers a second register with a non-fatal `already_registered`, keeping the first registration', () => {
    const { connectHost, register, hostsRegistered, pipe } = makeServer()
    const host = connectHost()
    register(host, { kind: 'tool' })
    expect(host.lastFrame()).toMatchObject({
      event: 'error',
      code: 'already_registered',
      fatal: false,
      version: 0,
    })
    expect(host.isClosed).toBe(false)
    expect(hostsRegistered).toHaveLength(1)
    expect(pipe.snapshot().sessionId).toBe(1)
  })

  it('keeps error events private to the connection that caused them', () => {
    const { connect, connectTool, server } = makeServer()
    const tool = connectTool()
    const bad = connect()
    bad.receive('garbage')
    server.broadcast({ event: 'saga_started', saga_id: 1, name: 'x', version: 1 })
    expect(tool.events('error')).toEqual([])
    expect(tool.events('saga_started')).toHaveLength(1)
  })

  it('ignores frames that arrive after a fatal error on the same connection', () => {
    const { connect, hostsRegistered } = makeServer()
    const conn = connect()
    conn.receive('garbage')
    conn.isClosed = false // a transport may still deliver the rest of a chunk
    conn.receive({ cmd: 'register', kind: 'host', pid: 1, version: '1', token: TOKEN })
    expect(hostsRegistered).toEqual([])
    expect(conn.frames()).toHaveLength(1)
  })

  it('tells a host with hostpipe features max_payload_bytes and reads its frames up to it, an AgentMux host neither', () => {
    const { connect, connectHost } = makeServer({ maxPayloadBytes: 8 * 1024 * 1024 })
    const unregistered = connect()
    expect(unregistered.maxFrameBytes).toBe(MAX_FRAME_BYTES)
    const host = connectHost({ features: ['ack', 'deadline'] })
    expect(host.events('registered')[0]).toMatchObject({ max_payload_bytes: 8 * 1024 * 1024 })
    expect(host.maxFrameBytes).toBe(frameLimitFor(8 * 1024 * 1024))
    host.receive(JSON.stringify({ cmd: 'ping', nonce: 1, pad: 'x'.repeat(2 * MAX_FRAME_BYTES) }))
    expect(host.events('error')).toEqual([])
    expect(host.lastFrame()).toMatchObject({ event: 'pong', nonce: 1 })
    expect(host.isClosed).toBe(false)
    const agentMux = connectHost({ features: [] })
    expect(agentMux.events('registered')[0]).not.toHaveProperty('max_payload_bytes')
    expect(agentMux.maxFrameBytes).toBe(MAX_FRAME_BYTES)
  })
})
