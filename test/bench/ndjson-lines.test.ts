import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import { MAX_LINE_CHARS, readNdjsonLines } from '../../bench/ndjson-line-reader'
import { LINE_FLUSH_BYTES, LINE_SEND_HIGH_WATER, NdjsonLineWriter } from '../../bench/ndjson-line-writer'

// The framing the bench's own ends use (raw baseline, bare child, birpc's transport), on fake
// sockets: what a batch is, when a write happens, and that memory stays bounded.

class FakeSocket extends EventEmitter {
  writableLength = 0
  destroyed = false
  readonly written: string[] = []
  readonly setEncoding = vi.fn()
  write(data: string): boolean {
    this.written.push(data)
    return true
  }
  destroy(err?: Error): void {
    this.destroyed = true
    this.emit('destroyed', err)
  }
}
const asSocket = (s: FakeSocket): Socket => s as unknown as Socket

describe('bench NDJSON lines', () => {
  it('hands over the lines each chunk completes, once per chunk, and keeps a partial line for the next', () => {
    const socket = new FakeSocket()
    const batches: string[][] = []
    readNdjsonLines(asSocket(socket), (lines) => batches.push(lines))
    expect(socket.setEncoding).toHaveBeenCalledWith('utf8')
    socket.emit('data', '{"seq":1}\n{"seq":2}\n{"se')
    socket.emit('data', 'q":3}')
    socket.emit('data', '\n')
    expect(batches).toEqual([['{"seq":1}', '{"seq":2}'], [], ['{"seq":3}']])
  })

  it('destroys the socket with an error naming the limit when a line passes MAX_LINE_CHARS unterminated', () => {
    const socket = new FakeSocket()
    const onBatch = vi.fn()
    const destroyed = vi.fn()
    socket.on('destroyed', destroyed)
    readNdjsonLines(asSocket(socket), onBatch)
    socket.emit('data', 'x'.repeat(MAX_LINE_CHARS))
    expect(socket.destroyed).toBe(false)
    socket.emit('data', 'x')
    expect(socket.destroyed).toBe(true)
    expect(String(destroyed.mock.calls[0]![0])).toMatch(
      new RegExp(`longer than ${MAX_LINE_CHARS} characters`),
    )
    expect(onBatch).toHaveBeenCalledTimes(1)
  })

  it('writes the lines of one tick as one write, and at once past LINE_FLUSH_BYTES', async () => {
    const socket = new FakeSocket()
    const writer = new NdjsonLineWriter(asSocket(socket))
    writer.write('a')
    writer.write('b')
    expect(socket.written).toEqual([])
    await new Promise<void>((resolve) => process.nextTick(resolve))
    expect(socket.written).toEqual(['a\nb\n'])
    const big = 'x'.repeat(LINE_FLUSH_BYTES)
    writer.write(big)
    expect(socket.written).toEqual(['a\nb\n', big + '\n'])
  })

  it('holds lines while the socket is above LINE_SEND_HIGH_WATER and sends them on drain', async () => {
    const socket = new FakeSocket()
    const writer = new NdjsonLineWriter(asSocket(socket))
    socket.writableLength = LINE_SEND_HIGH_WATER
    writer.write('held')
    await new Promise<void>((resolve) => process.nextTick(resolve))
    expect(socket.written).toEqual([])
    socket.writableLength = 0
    socket.emit('drain')
    expect(socket.written).toEqual(['held\n'])
  })
})
