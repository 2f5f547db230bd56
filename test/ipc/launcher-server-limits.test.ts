import { describe, expect, it } from 'vitest'
import { REGISTER_TIMEOUT_MS } from '../../src/main/ipc/launcher-server'
import { FakeConnection } from '../support/ipc-fake-connection'
import { makeServer } from '../support/ipc-server-harness'

describe('LauncherServer: limits and lifetime', () => {
  it('closes a connection that does not register within the timeout, with not_registered', () => {
    const { connect, clock } = makeServer()
    const idle = connect()
    clock.advance(REGISTER_TIMEOUT_MS - 1)
    expect(idle.isClosed).toBe(false)
    clock.advance(1)
    expect(idle.isClosed).toBe(true)
    expect(idle.frames()).toEqual([
      expect.objectContaining({ code: 'not_registered', fatal: true, version: 0 }),
    ])
    expect(clock.pendingTimers).toBe(0)
  })

  it('stops the register timer once a connection registers', () => {
    const { connectHost, connectTool, clock } = makeServer({ registerTimeoutMs: 100 })
    const host = connectHost()
    const tool = connectTool()
    expect(clock.pendingTimers).toBe(0)
    clock.advance(1000)
    expect(host.isClosed).toBe(false)
    expect(tool.isClosed).toBe(false)
  })

  it('stops the register timer of a connection that closes before registering', () => {
    const { connect, clock, server } = makeServer()
    connect().endByPeer()
    expect(clock.pendingTimers).toBe(0)
    expect(server.unregisteredCount).toBe(0)
  })

  it('refuses new connections while the cap of unregistered ones is reached, and frees a slot on register', () => {
    const { connect, register, server } = makeServer({ maxUnregistered: 3 })
    const waiting = [connect(), connect(), connect()]
    const refused = connect()
    expect(refused.isClosed).toBe(true)
    expect(refused.sent).toEqual([])
    expect(server.unregisteredCount).toBe(3)
    register(waiting[0]!, { kind: 'tool' })
    expect(connect().isClosed).toBe(false)
  })

  it('closes every connection on dispose, leaves no timer, and calls no callback afterwards', () => {
    const { connect, connectHost, connectTool, server, clock, pipe, hostsGone } = makeServer()
    const conns = [connect(), connectHost(), connectTool()]
    server.dispose()
    for (const c of conns) expect(c.isClosed).toBe(true)
    expect(pipe.snapshot().connected).toBe(false)
    expect(hostsGone).toEqual([])
    // The only timer left is HostPipe's disconnect budget, which is the pipe's to clear.
    pipe.dispose()
    expect(clock.pendingTimers).toBe(0)
    const late = new FakeConnection()
    server.attach(late)
    expect(late.isClosed).toBe(true)
  })
})
