import { describe, expect, it } from 'vitest'
import type { StreamFrame } from '../../src/shared/protocol'
import { makeServer } from '../support/ipc-server-harness'

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
})
