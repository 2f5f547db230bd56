import { describe, expect, it } from 'vitest'
import { TOOL_STALL_MS } from '../../src/main/ipc/launcher-server'
import type { Event } from '../../src/shared/protocol'
import { settle } from '../support/memory-writer'
import { makeServer } from '../support/ipc-server-harness'

const started = (sagaId: number): Event => ({
  event: 'saga_started',
  saga_id: sagaId,
  name: 'spawn',
  version: sagaId,
})

describe('LauncherServer: tool clients', () => {
  it('sends every broadcast event to every registered tool, and none to unregistered connections', () => {
    const { server, connect, connectTool } = makeServer()
    const a = connectTool()
    const b = connectTool()
    const stranger = connect()
    for (let i = 1; i <= 3; i++) server.broadcast(started(i))
    for (const tool of [a, b]) expect(tool.events('saga_started').map((e) => e.saga_id)).toEqual([1, 2, 3])
    expect(stranger.sent).toEqual([])
  })

  it('answers a tool ping with pong', () => {
    const { connectTool } = makeServer()
    const tool = connectTool()
    tool.receive({ cmd: 'ping', nonce: 8 })
    expect(tool.lastFrame()).toMatchObject({ event: 'pong', nonce: 8 })
  })

  it('refuses acks and reports from a tool with a non-fatal invalid_command, leaving HostPipe alone', () => {
    const { connectTool, pipe, reports } = makeServer()
    const tool = connectTool()
    tool.receive({ cmd: 'ack', seq: 1 })
    tool.receive({ cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 })
    expect(tool.events('error')).toEqual([
      expect.objectContaining({ code: 'invalid_command', fatal: false }),
      expect.objectContaining({ code: 'invalid_command', fatal: false }),
    ])
    expect(tool.isClosed).toBe(false)
    expect(reports).toEqual([])
    expect(pipe.snapshot().counters.ignoredAcks).toBe(0)
  })

  it('cuts off a tool that takes nothing for the stall time once its backlog is full, without stalling the others', async () => {
    const { server, connectTool, clock } = makeServer({ toolBacklogLimit: 4 })
    const slow = connectTool()
    const fast = connectTool()
    slow.isHolding = true
    for (let i = 1; i <= 5; i++) server.broadcast(started(i))
    await settle()
    clock.advance(TOOL_STALL_MS - 1)
    expect(slow.isClosed).toBe(false)
    clock.advance(1)
    expect(slow.isClosed).toBe(true)
    expect(server.toolCount).toBe(1)
    server.broadcast(started(6))
    expect(fast.events('saga_started').map((e) => e.saga_id)).toEqual([1, 2, 3, 4, 5, 6])
    expect(clock.pendingTimers).toBe(0)
  })

  it('keeps a reading tool that is sent far more than its backlog limit in one tick', async () => {
    const { server, connectTool, clock } = makeServer({ toolBacklogLimit: 4 })
    const tool = connectTool()
    // A burst of sagas, or a host gone with many commands in flight: one synchronous storm.
    for (let i = 1; i <= 100; i++) server.broadcast(started(i))
    await settle()
    clock.advance(TOOL_STALL_MS)
    expect(tool.isClosed).toBe(false)
    expect(tool.events('saga_started')).toHaveLength(100)
  })

  it('keeps a tool at its limit while it still takes events, and cuts it off once it stops', async () => {
    const { server, connectTool, clock } = makeServer({ toolBacklogLimit: 4 })
    const tool = connectTool()
    tool.isHolding = true
    for (let i = 1; i <= 8; i++) server.broadcast(started(i))
    tool.releaseHeld()
    await settle()
    tool.isHolding = true
    for (let i = 9; i <= 16; i++) server.broadcast(started(i))
    await settle()
    clock.advance(TOOL_STALL_MS)
    expect(tool.isClosed).toBe(false)
    clock.advance(TOOL_STALL_MS)
    expect(tool.isClosed).toBe(true)
  })

  it('keeps a tool whose backlog drains as it reads', async () => {
    const { server, connectTool } = makeServer({ toolBacklogLimit: 4 })
    const tool = connectTool()
    for (let round = 0; round < 5; round++) {
      tool.isHolding = true
      for (let i = 0; i < 4; i++) server.broadcast(started(round * 4 + i))
      tool.releaseHeld()
      await settle()
    }
    expect(tool.isClosed).toBe(false)
    expect(tool.events('saga_started')).toHaveLength(20)
  })

  it('closes a tool that says goodbye and stops sending it events', () => {
    const { server, connectTool, hostsGone } = makeServer()
    const tool = connectTool()
    tool.receive({ cmd: 'goodbye' })
    expect(tool.isClosed).toBe(true)
    server.broadcast(started(1))
    expect(tool.events('saga_started')).toEqual([])
    expect(hostsGone).toEqual([])
  })
})
