import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { ChildIpcConnection, type IpcEndpoint } from '../../src/main/ipc/child-ipc-connection'
import { MAX_FRAME_BYTES } from '../../src/shared/protocol'
import { recordInbound } from '../support/ipc-inbound-recorder'

/** A process IPC endpoint in memory: records sends, completes them when told. */
class FakeEndpoint extends EventEmitter implements IpcEndpoint {
  connected = true
  readonly messages: string[] = []
  /** What `send` returns: false means Node's backlog is long. */
  accepts = true
  private callbacks: Array<(err: Error | null) => void> = []
  disconnects = 0

  send(message: string, callback: (error: Error | null) => void): boolean {
    this.messages.push(message)
    this.callbacks.push(callback)
    return this.accepts
  }

  /** The pending writes complete. */
  flush(err: Error | null = null): void {
    for (const cb of this.callbacks.splice(0)) cb(err)
  }

  get unflushed(): number {
    return this.callbacks.length
  }

  disconnect(): void {
    this.disconnects++
    this.connected = false
    this.emit('disconnect')
  }
}

function open() {
  const endpoint = new FakeEndpoint()
  const conn = new ChildIpcConnection(endpoint, 'test ipc')
  return { endpoint, conn, ...recordInbound(conn) }
}

describe('ChildIpcConnection', () => {
  it('delivers each message as one frame', () => {
    const { endpoint, frames } = open()
    endpoint.emit('message', '{"cmd":"ping","nonce":1}')
    endpoint.emit('message', { cmd: 'goodbye' })
    expect(frames).toEqual(['{"cmd":"ping","nonce":1}', '{"cmd":"goodbye"}'])
  })

  it('reports a message over the frame limit as too large instead of delivering it', () => {
    const { endpoint, frames, tooLarge } = open()
    endpoint.emit('message', 'x'.repeat(MAX_FRAME_BYTES + 1))
    expect(frames).toEqual([])
    expect(tooLarge).toEqual([MAX_FRAME_BYTES + 1])
  })

  it('resolves a send the channel accepted at once, and waits for the write under backlog', async () => {
    const { endpoint, conn } = open()
    await conn.send('a')
    endpoint.accepts = false
    let isResolved = false
    const waiting = conn.send('b').then(() => (isResolved = true))
    await Promise.resolve()
    expect(isResolved).toBe(false)
    endpoint.flush()
    await waiting
    expect(endpoint.messages).toEqual(['a', 'b'])
  })

  it('rejects a send whose write fails under backlog', async () => {
    const { endpoint, conn } = open()
    endpoint.accepts = false
    const sent = conn.send('a')
    endpoint.flush(new Error('EPIPE'))
    await expect(sent).rejects.toThrow('EPIPE')
  })

  it('disconnects on close only after every accepted send was written', async () => {
    const { endpoint, conn, closes } = open()
    await conn.send('last words')
    conn.close()
    expect(endpoint.disconnects).toBe(0)
    await expect(conn.send('too late')).rejects.toThrow(/closed/)
    endpoint.flush()
    expect(endpoint.disconnects).toBe(1)
    expect(closes).toEqual(['closed'])
  })

  it('reports the peer going away once, and rejects sends afterwards', async () => {
    const { endpoint, conn, closes } = open()
    endpoint.disconnect()
    endpoint.emit('disconnect')
    conn.close()
    expect(closes).toEqual(['disconnected'])
    await expect(conn.send('x')).rejects.toThrow(/closed/)
  })

  it('ignores messages after it was closed', () => {
    const { endpoint, conn, frames } = open()
    conn.close()
    endpoint.emit('message', '{"cmd":"goodbye"}')
    expect(frames).toEqual([])
  })
})
