import { describe, expect, it } from 'vitest'
import { makeServer } from '../support/ipc-server-harness'

describe('LauncherServer: hosts with a liveness worker', () => {
  it('tells a host that announced `liveness_worker` the launcher’s unresponsiveMs in `registered`', () => {
    const { connectHost } = makeServer({ unresponsiveMs: 5000 })
    const host = connectHost({ features: ['ack', 'liveness_worker'] })
    expect(host.frames()[0]).toMatchObject({ event: 'registered', unresponsive_ms: 5000 })
  })

  it('tells no other host, and none while liveness is off', () => {
    const plain = makeServer({ unresponsiveMs: 5000 }).connectHost({ features: ['ack'] })
    expect(plain.frames()[0]).not.toHaveProperty('unresponsive_ms')
    const off = makeServer({ unresponsiveMs: 0 }).connectHost({ features: ['ack', 'liveness_worker'] })
    expect(off.frames()[0]).not.toHaveProperty('unresponsive_ms')
  })

  it('hands the current host’s `report_main_thread` to its listeners, without an error', () => {
    const { server, connectHost } = makeServer({ unresponsiveMs: 5000 })
    const blocked: number[] = []
    server.onDidReceiveMainThreadReport((r) => blocked.push(r.blockedMs))
    const host = connectHost({ features: ['ack', 'liveness_worker'] })
    host.receive({ cmd: 'report_main_thread', blocked_ms: 1200 })
    host.receive({ cmd: 'report_main_thread', blocked_ms: 0 })
    expect(blocked).toEqual([1200, 0])
    expect(host.events('error')).toEqual([])
  })
})
