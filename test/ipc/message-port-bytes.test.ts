import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { MessagePortConnection, type MessagePortLike } from '../../src/main/ipc/message-port-connection'
import { ReceivedByteFrame } from '../../src/shared/byte-frame'
import { splitValue } from '../../src/shared/byte-value'
import { parseHostInbound } from '../../src/shared/protocol'
import { recordInbound } from '../support/ipc-inbound-recorder'

/** One end of a MessageChannelMain, in memory: records every postMessage call's arguments. */
class FakePort extends EventEmitter implements MessagePortLike {
  readonly calls: unknown[][] = []
  postMessage(...args: unknown[]): void {
    this.calls.push(args)
  }
  start(): void {}
  close(): void {}
}

function open() {
  const port = new FakePort()
  const conn = new MessagePortConnection(port, 'test port')
  return { port, conn, ...recordInbound(conn) }
}

describe('byte frames over a MessagePort', () => {
  it('posts a byte frame with no transfer list, so structured clone copies the bytes once', () => {
    const { port, conn } = open()
    const data = new Uint8Array([1, 2, 3])
    expect(
      conn.sendByteFrame(splitValue({ cmd: 'report_result', saga_id: 1, output: { data } })),
    ).toBeUndefined()
    expect(port.calls).toHaveLength(1)
    expect(port.calls[0]).toHaveLength(1)
    expect(data.byteLength).toBe(3)
  })

  it('cuts a pooled Buffer out of its ArrayBuffer before posting, so only its own bytes are cloned', () => {
    const { port, conn } = open()
    const data = Buffer.from('abc')
    expect(data.buffer.byteLength).toBeGreaterThan(3)
    conn.sendByteFrame(splitValue({ data }))
    const message = port.calls[0]![0] as { blocks: Uint8Array[] }
    expect(message.blocks[0]!.buffer.byteLength).toBe(3)
    expect(Buffer.from(message.blocks[0]!).toString()).toBe('abc')
  })

  it('reads a posted byte frame back, after a structured clone, as the value with its bytes', () => {
    const sender = open()
    sender.conn.sendByteFrame(
      splitValue({ cmd: 'report_result', saga_id: 4, output: { data: new Uint8Array([0, 10, 255]) } }),
    )
    const receiver = open()
    receiver.conn.acceptByteFrames()
    receiver.port.emit('message', { data: structuredClone(sender.port.calls[0]![0]) })
    const frame = receiver.frames[0]
    expect(frame).toBeInstanceOf(ReceivedByteFrame)
    const parsed = parseHostInbound(frame!, 1024)
    expect(parsed.ok && parsed.frame).toEqual({
      cmd: 'report_result',
      saga_id: 4,
      output: { data: new Uint8Array([0, 10, 255]) },
    })
  })

  it('refuses a byte frame over the cap as too large, and a block that is not bytes with a reason', () => {
    const { conn, port, frames, tooLarge } = open()
    conn.acceptByteFrames()
    conn.setMaxFrameBytes(1024)
    port.emit('message', {
      data: { byte_frame: '{"v":{"a":null},"b":[["a"]]}', blocks: [new Uint8Array(2000)] },
    })
    expect(tooLarge).toEqual([2000 + 13 + 28])
    port.emit('message', { data: { byte_frame: '{"v":{"a":null},"b":[["a"]]}', blocks: ['x'] } })
    const parsed = parseHostInbound(frames[0]!)
    expect(parsed).toMatchObject({
      ok: false,
      code: 'invalid_command',
      message: expect.stringMatching(/block 0 is not a Uint8Array/),
    })
  })

  it('reads a byte frame as a plain JSON object on a connection that did not negotiate bytes', () => {
    const { port, frames } = open()
    port.emit('message', { data: { byte_frame: '{"v":1,"b":[]}', blocks: [] } })
    expect(frames[0]).toBe('{"byte_frame":"{\\"v\\":1,\\"b\\":[]}","blocks":[]}')
  })
})
