import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { MessagePortConnection, type MessagePortLike } from '../../src/main/ipc/message-port-connection'
import { findParentPort, receiveMessagePort, type ParentPortLike } from '../../src/main/ipc/parent-port'
import { MAX_FRAME_BYTES } from '../../src/shared/protocol'
import { recordInbound } from '../support/ipc-inbound-recorder'

/** One end of a MessageChannelMain, in memory. */
class FakePort extends EventEmitter implements MessagePortLike {
  readonly posted: unknown[] = []
  isStarted = false
  isClosed = false
  postMessage(message: unknown): void {
    if (this.isClosed) throw new Error('port closed')
    this.posted.push(message)
  }
  start(): void {
    this.isStarted = true
  }
  close(): void {
    this.isClosed = true
  }
}

function open() {
  const port = new FakePort()
  const conn = new MessagePortConnection(port, 'test port')
  return { port, conn, ...recordInbound(conn) }
}

describe('MessagePortConnection', () => {
  it('starts the port and delivers each message as one frame', () => {
    const { port, frames } = open()
    expect(port.isStarted).toBe(true)
    port.emit('message', { data: '{"cmd":"goodbye"}' })
    expect(frames).toEqual(['{"cmd":"goodbye"}'])
  })

  it('hands a frame to the port before sendOrWait returns, and fails a send on a closed port', async () => {
    const { port, conn } = open()
    expect(conn.sendOrWait('{"a":1}')).toBeUndefined()
    expect(port.posted).toEqual(['{"a":1}'])
    port.isClosed = true
    await expect(conn.sendOrWait('{"a":2}')).rejects.toThrow(/port closed/)
  })

  it('reports a message over the frame limit as too large', () => {
    const { port, frames, tooLarge } = open()
    port.emit('message', { data: 'x'.repeat(MAX_FRAME_BYTES + 1) })
    expect(frames).toEqual([])
    expect(tooLarge).toEqual([MAX_FRAME_BYTES + 1])
  })

  it('posts each frame as a string message', async () => {
    const { port, conn } = open()
    await conn.send('{"event":"pong","nonce":1,"version":2}')
    expect(port.posted).toEqual(['{"event":"pong","nonce":1,"version":2}'])
  })

  it('closes the port, reports it once, and refuses to post afterwards', async () => {
    const { port, conn, closes } = open()
    conn.close()
    conn.close()
    await expect(conn.send('x')).rejects.toThrow(/closed/)
    await Promise.resolve()
    expect(port.isClosed).toBe(true)
    expect(closes).toEqual(['closed'])
    await expect(conn.send('x')).rejects.toThrow(/closed/)
  })

  it('reports the remote end going away', () => {
    const { port, closes } = open()
    port.emit('close')
    expect(closes).toEqual(['disconnected'])
  })
})

describe('parent port (Electron utilityProcess)', () => {
  it('finds process.parentPort only where one exists', () => {
    expect(findParentPort({})).toBeUndefined()
    const parentPort = new EventEmitter()
    expect(findParentPort({ parentPort })).toBe(parentPort)
  })

  it('takes the first port the launcher posts and ignores messages without one', async () => {
    const parentPort = new EventEmitter()
    const received = receiveMessagePort(parentPort as unknown as ParentPortLike)
    const port = new FakePort()
    parentPort.emit('message', { data: 'hello', ports: [] })
    parentPort.emit('message', { data: { type: 'hostpipe-port' }, ports: [port] })
    await expect(received).resolves.toBe(port)
    expect(parentPort.listenerCount('message')).toBe(0)
  })

  it('gives up when no port arrives in time', async () => {
    vi.useFakeTimers()
    try {
      const parentPort = new EventEmitter()
      const received = receiveMessagePort(parentPort as unknown as ParentPortLike, 1000)
      vi.advanceTimersByTime(1000)
      await expect(received).rejects.toThrow(/no MessagePort/)
      expect(parentPort.listenerCount('message')).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })
})
