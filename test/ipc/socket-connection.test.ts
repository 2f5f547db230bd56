import type { InboundFrame } from '../../src/shared/byte-frame'
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  SocketConnection,
  SOCKET_FIRST_FLUSH_BYTES,
  SOCKET_FLUSH_BYTES,
  SOCKET_SEND_HIGH_WATER,
} from '../../src/main/ipc/socket-connection'
import { waitFor } from '../support/ipc-wait'
import { socketPair } from '../support/socket-pair'

/** Just enough of a net.Socket to drive backpressure by hand: how much it holds is set by the test. */
class FakeSocket extends EventEmitter {
  destroyed = false
  writableLength = 0
  readonly writes: string[] = []
  write(data: string): boolean {
    this.writes.push(data)
    return true
  }
  end(): void {}
  pause(): void {}
  destroy(): void {
    this.destroyed = true
    this.emit('close')
  }
  get lines(): string[] {
    return this.writes.join('').split('\n').filter(Boolean)
  }
}

const tick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve))

describe('SocketConnection', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })

  it('appends \\n to each frame and coalesces the frames of one tick into one write', async () => {
    const { socket, client } = await socketPair(cleanup)
    const write = vi.spyOn(socket, 'write')
    const conn = new SocketConnection(socket)
    await Promise.all([conn.send('{"a":1}'), conn.send('{"a":2}'), conn.send('{"a":3}')])
    await waitFor(() => client.frames.length === 3, 'three frames')
    expect(client.frames).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }])
    expect(write).toHaveBeenCalledTimes(1)
    conn.close()
  })

  it('delivers inbound lines only once a frame handler is set: ASCII chunks as text, others as bytes', async () => {
    const { socket, client } = await socketPair(cleanup)
    const conn = new SocketConnection(socket)
    client.write('{"cmd":"goodbye"}\n')
    const frames: InboundFrame[] = []
    // The line reaches this side before anyone listens; it must wait, not be dropped.
    await waitFor(() => socket.readableLength > 0, 'the line to arrive')
    conn.onFrame((f) => frames.push(f))
    await waitFor(() => frames.length === 1, 'the frame')
    expect(frames[0]).toBe('{"cmd":"goodbye"}')
    // Not ASCII: bytes, so the protocol layer decodes them strictly (and refuses bad UTF-8).
    client.write(Buffer.concat([Buffer.from('{"cmd":"x","v":"é"}\n'), Buffer.from([0xff, 0x0a])]))
    await waitFor(() => frames.length === 3, 'two more frames')
    expect(frames[1]).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(frames[1] as Uint8Array).toString()).toBe('{"cmd":"x","v":"é"}')
    expect([...(frames[2] as Uint8Array)]).toEqual([0xff])
    conn.close()
  })

  it('makes senders wait while the peer does not read, and lets them go once it drains', async () => {
    const { socket, client } = await socketPair(cleanup)
    const conn = new SocketConnection(socket)
    client.socket.pause()
    const frame = JSON.stringify({ pad: 'x'.repeat(SOCKET_SEND_HIGH_WATER) })
    let waiting: Promise<unknown> | undefined
    for (let i = 0; i < 500 && !waiting; i++) {
      let isDone = false
      const sent = conn.send(frame).then(() => (isDone = true))
      await new Promise((resolve) => setImmediate(resolve))
      if (!isDone) waiting = sent
    }
    expect(waiting).toBeDefined()
    client.socket.resume()
    await waiting
    conn.close()
  })

  it('flushes frames it accepted before closing, then ends the connection', async () => {
    const { socket, client } = await socketPair(cleanup)
    const conn = new SocketConnection(socket)
    const closes: string[] = []
    conn.onClose((r) => closes.push(r))
    void conn.send('{"last":"words"}')
    conn.close()
    await client.waitForEnd()
    expect(client.frames).toEqual([{ last: 'words' }])
    await waitFor(() => closes.length === 1, 'the close')
    expect(closes).toEqual(['closed'])
    await expect(conn.send('{}')).rejects.toThrow(/closed/)
  })

  it('reports eof when the peer closes, and rejects sends afterwards', async () => {
    const { socket, client } = await socketPair(cleanup)
    const conn = new SocketConnection(socket)
    const closes: string[] = []
    conn.onClose((r) => closes.push(r))
    conn.onFrame(() => undefined)
    client.socket.end()
    await waitFor(() => closes.length === 1, 'the close')
    expect(closes).toEqual(['eof'])
    await expect(conn.send('{}')).rejects.toThrow(/closed/)
  })

  it('reports an over-long line once and stops reading', async () => {
    const { socket, client } = await socketPair(cleanup)
    const conn = new SocketConnection(socket, { maxFrameBytes: 16 })
    const frames: InboundFrame[] = []
    const tooLarge: number[] = []
    conn.onFrame((f) => frames.push(f))
    conn.onTooLarge((b) => tooLarge.push(b))
    client.write('{"ok":1}\n' + 'y'.repeat(40) + '\n{"ok":2}\n')
    await waitFor(() => tooLarge.length === 1, 'too large')
    expect(frames).toHaveLength(1)
    expect(tooLarge).toEqual([40])
    conn.close()
  })

  it('cuts off a peer that leaves too much unread', async () => {
    const { socket, client } = await socketPair(cleanup)
    const conn = new SocketConnection(socket, { maxQueuedBytes: 256 * 1024 })
    const closes: string[] = []
    conn.onClose((r) => closes.push(r))
    client.socket.pause()
    const frame = 'x'.repeat(32 * 1024)
    const results = await Promise.allSettled(Array.from({ length: 64 }, () => conn.send(frame)))
    expect(results.some((r) => r.status === 'rejected')).toBe(true)
    await waitFor(() => closes.length === 1, 'the cut-off')
    expect(closes).toEqual(['peer too slow'])
  })

  it('writes the first SOCKET_FIRST_FLUSH_BYTES of a tick at once, then every SOCKET_FLUSH_BYTES, then the rest at its end', async () => {
    const socket = new FakeSocket()
    const conn = new SocketConnection(socket as unknown as Socket)
    const frame = JSON.stringify({ pad: 'x'.repeat(1000) })
    const bytesOf = (n: number): number => n * (frame.length + 1)
    const first = Math.ceil(SOCKET_FIRST_FLUSH_BYTES / (frame.length + 1))
    const next = Math.ceil(SOCKET_FLUSH_BYTES / (frame.length + 1))
    for (let i = 0; i < first; i++) void conn.send(frame)
    expect(socket.writes.map((w) => w.length)).toEqual([bytesOf(first)])
    // Past the early write, a write waits for the larger threshold.
    for (let i = 0; i < next - 1; i++) void conn.send(frame)
    expect(socket.writes).toHaveLength(1)
    void conn.send(frame)
    expect(socket.writes.map((w) => w.length)).toEqual([bytesOf(first), bytesOf(next)])
    void conn.send('{"tail":1}')
    expect(socket.writes).toHaveLength(2)
    await new Promise((resolve) => setImmediate(resolve))
    expect(socket.writes).toHaveLength(3)
    expect(socket.lines.at(-1)).toBe('{"tail":1}')
    // A new tick writes early again.
    for (let i = 0; i < first; i++) void conn.send(frame)
    expect(socket.writes).toHaveLength(4)
    conn.close()
  })

  it('keeps a burst that crossed SOCKET_FIRST_FLUSH_BYTES in plain code and goes on in a promise continuation to one more write', async () => {
    const socket = new FakeSocket()
    const conn = new SocketConnection(socket as unknown as Socket)
    const frame = JSON.stringify({ pad: 'x'.repeat(1000) })
    const first = Math.ceil(SOCKET_FIRST_FLUSH_BYTES / (frame.length + 1))
    // From a macrotask, as an I/O callback would: Node runs its ticks before the continuation.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        for (let i = 0; i < first; i++) void conn.send(frame)
        void Promise.resolve().then(() => {
          // Past the early write: more than SOCKET_FIRST_FLUSH_BYTES again, less than SOCKET_FLUSH_BYTES.
          for (let i = 0; i < first + 1; i++) void conn.send(frame)
          resolve()
        })
      }),
    )
    await new Promise((resolve) => setImmediate(resolve))
    expect(socket.writes).toHaveLength(2)
    expect(socket.lines).toHaveLength(2 * first + 1)
    conn.close()
  })

  it('holds a sender back while the socket is backed up and lets it go once its frame is written', async () => {
    const socket = new FakeSocket()
    const conn = new SocketConnection(socket as unknown as Socket)
    socket.writableLength = SOCKET_SEND_HIGH_WATER
    let isDone = false
    const sent = conn.send('{"a":1}').then(() => (isDone = true))
    await tick()
    expect(isDone).toBe(false)
    expect(socket.writes).toEqual([])
    socket.writableLength = 0
    socket.emit('drain')
    expect(socket.lines).toEqual(['{"a":1}'])
    // Written is written: the socket closing now must not turn it into a failure (a caller would
    // send it again, to a host that may already have it).
    socket.destroy()
    await sent
    expect(isDone).toBe(true)
  })

  it('rejects a held-back sender only when its frame never reached the socket', async () => {
    const socket = new FakeSocket()
    const conn = new SocketConnection(socket as unknown as Socket)
    socket.writableLength = SOCKET_SEND_HIGH_WATER
    const sent = conn.send('{"a":1}')
    await tick()
    socket.destroy()
    await expect(sent).rejects.toThrow(/closed/)
    expect(socket.writes).toEqual([])
  })

  it('closes within the grace period after an over-long frame once the peer is gone, so a server close settles', async () => {
    const { socket, client } = await socketPair(cleanup)
    const conn = new SocketConnection(socket, { maxFrameBytes: 64 })
    let closedWith: string | undefined
    conn.onClose((reason) => (closedWith = reason))
    conn.onTooLarge(() => conn.close())
    conn.onFrame(() => undefined)
    client.write('x'.repeat(200))
    await waitFor(() => closedWith !== undefined || socket.isPaused(), 'the over-long frame')
    // The peer dies without reading: its EOF must still be seen, though reading had stopped.
    client.destroy()
    await waitFor(() => closedWith !== undefined, 'the close', 900)
    expect(socket.destroyed).toBe(true)
  })

  it('reads frames up to a raised maxFrameBytes and lets one such frame out past the unread-bytes cut-off', async () => {
    const { socket, client } = await socketPair(cleanup)
    const conn = new SocketConnection(socket, { maxQueuedBytes: 1024 })
    const frames: InboundFrame[] = []
    conn.onFrame((f) => frames.push(f))
    conn.setMaxFrameBytes(4 * 1024 * 1024)
    expect(conn.maxFrameBytes).toBe(4 * 1024 * 1024)
    const big = JSON.stringify({ text: 'y'.repeat(2 * 1024 * 1024) })
    client.write(big + '\n')
    await waitFor(() => frames.length === 1, 'the big frame')
    const got = frames[0]!
    expect(typeof got === 'string' ? got : new TextDecoder().decode(got as Uint8Array)).toBe(big)
    await conn.send(big)
    await waitFor(() => client.frames.length === 1, 'the big frame back')
    conn.close()
  })
})
