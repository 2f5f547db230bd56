import { describe, expect, it } from 'vitest'
import type { StreamFrame } from '../../src/shared/protocol'
import { makeServer, TOKEN } from '../support/ipc-server-harness'

describe('LauncherServer: hosts with feature streams', () => {
  it('tells a host that announced `streams` the stream window in `registered`, 16 by default', () => {
    const byDefault = makeServer().connectHost({ features: ['ack', 'streams'] })
    expect(byDefault.frames()[0]).toMatchObject({ event: 'registered', stream_window: 16 })
    const given = makeServer({ streamWindow: 4 }).connectHost({ features: ['ack', 'streams'] })
    expect(given.frames()[0]).toMatchObject({ event: 'registered', stream_window: 4 })
    const plain = makeServer({ streamWindow: 4 }).connectHost({ features: ['ack'] })
    expect(plain.frames()[0]).not.toHaveProperty('stream_window')
  })

  it('hands the current host’s progress, chunks and events to its listeners, in order, without an error', () => {
    const { server, connectHost } = makeServer()
    const got: StreamFrame[] = []
    server.onDidReceiveStreamFrame(({ frame }) => got.push(frame))
    const host = connectHost({ features: ['ack', 'streams'] })
    const frames: StreamFrame[] = [
      { cmd: 'report_progress', saga_id: 1, value: 0.5 },
      { cmd: 'report_chunk', saga_id: 2, chunk: 'a' },
      { cmd: 'report_event', name: 'tick', payload: 3 },
    ]
    for (const frame of frames) host.receive({ ...frame })
    expect(got).toEqual(frames)
    expect(host.events('error')).toEqual([])
  })

  it('drops and counts a standby’s events without an error, and hands none to its listeners', () => {
    const h = makeServer()
    h.server.onDidAnnounceHost((r) => {
      if (r.role === 'standby') r.accept('standby')
    })
    let dropped = 0
    const got: StreamFrame[] = []
    h.server.onDidDropEvent(() => dropped++)
    h.server.onDidReceiveStreamFrame(({ frame }) => got.push(frame))
    h.connectHost({ features: ['ack', 'streams'] })
    const standby = h.connect()
    standby.receive({
      cmd: 'register',
      kind: 'host',
      pid: 2000,
      version: '1',
      token: TOKEN,
      features: ['ack', 'streams'],
      role: 'standby',
    })
    standby.receive({ cmd: 'report_event', name: 'tick', payload: 1 })
    expect(dropped).toBe(1)
    expect(got).toEqual([])
    expect(standby.events('error')).toEqual([])
  })

  it('tells the host’s pid and the frame’s size with each stream frame', () => {
    const { server, connectHost } = makeServer()
    const got: Array<{ bytes: number; hostPid: number }> = []
    server.onDidReceiveStreamFrame(({ bytes, hostPid }) => got.push({ bytes, hostPid }))
    const host = connectHost({ pid: 77, features: ['ack', 'streams'] })
    const frame = { cmd: 'report_chunk', saga_id: 2, chunk: 'abc' }
    host.receive(frame)
    expect(got).toEqual([{ bytes: JSON.stringify(frame).length, hostPid: 77 }])
  })
})
