import { describe, expect, it } from 'vitest'
import { NdjsonFramer } from '../../src/main/ipc/ndjson-framer'
import { encodeByteFrameBytes, ReceivedByteFrame } from '../../src/shared/byte-frame'
import { parseHostInbound } from '../../src/shared/protocol'

function framer(maxLineBytes = 1024) {
  const out: Array<string | ReceivedByteFrame> = []
  const tooLarge: number[] = []
  const f = new NdjsonFramer({
    onLine: (line) => out.push(new TextDecoder().decode(line)),
    onText: (line) => out.push(line),
    onTooLarge: (bytes) => tooLarge.push(bytes),
    onByteFrame: (frame) => out.push(frame),
    maxLineBytes,
  })
  f.acceptByteFrames()
  return { f, out, tooLarge }
}

const enc = new TextEncoder()
const join = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts)

describe('NdjsonFramer with byte frames', () => {
  it('reads byte frames between lines, split at every byte, in order', () => {
    const frame = encodeByteFrameBytes({ cmd: 'x', data: new Uint8Array([10, 0, 13, 10]) })
    const stream = join(enc.encode('{"a":1}\n'), frame, enc.encode('{"b":2}\n'), frame)
    const { f, out } = framer()
    for (let i = 0; i < stream.length; i++) f.push(stream.subarray(i, i + 1))
    expect(out).toHaveLength(4)
    expect(out[0]).toBe('{"a":1}')
    expect((out[1] as ReceivedByteFrame).value).toEqual({ cmd: 'x', data: new Uint8Array([10, 0, 13, 10]) })
    expect(out[2]).toBe('{"b":2}')
    expect(f.bufferedBytes).toBe(0)
  })

  it('refuses a byte frame whose declared length is over the cap before buffering it, and stops', () => {
    const { f, out } = framer(1024)
    const frame = encodeByteFrameBytes({ data: new Uint8Array(4096) })
    f.push(frame.subarray(0, 20))
    expect(f.bufferedBytes).toBeLessThan(64)
    expect(f.isStopped).toBe(true)
    const parsed = parseHostInbound(out[0]!, 1024)
    expect(parsed).toMatchObject({ ok: false, code: 'frame_too_large' })
    expect(!parsed.ok && parsed.message).toMatch(/FRAME_TOO_LARGE.*maxFrameBytes is 1024/)
    f.push(enc.encode('{"a":1}\n'))
    expect(out).toHaveLength(1)
  })

  it('refuses a frame whose header does not match its blocks, and reads on after it', () => {
    const { f, out } = framer()
    const bad = encodeByteFrameBytes({ data: new Uint8Array([1]) })
    // Point the header's path at a key that is not there.
    const text = Buffer.from(bad).toString('latin1').replace('"data"]', '"nope"]')
    f.push(join(Buffer.from(text, 'latin1'), enc.encode('{"a":1}\n')))
    const parsed = parseHostInbound(out[0]!)
    expect(parsed).toMatchObject({ ok: false, code: 'invalid_command' })
    expect(!parsed.ok && parsed.message).toMatch(/BAD_PATH/)
    expect(out[1]).toBe('{"a":1}')
  })

  it('reports a byte frame cut short by the end of the stream as truncated', () => {
    const { f, out } = framer()
    f.push(encodeByteFrameBytes({ data: new Uint8Array(100) }).subarray(0, 50))
    f.end()
    const parsed = parseHostInbound(out[0]!)
    expect(!parsed.ok && parsed.message).toMatch(/TRUNCATED/)
  })

  it('reads a 0x00 line start as text on a connection that did not accept byte frames', () => {
    const lines: string[] = []
    const f = new NdjsonFramer({
      onLine: (line) => lines.push(Buffer.from(line).toString('hex')),
      onTooLarge: () => undefined,
    })
    f.push(Uint8Array.from([0, 0x7b, 10]))
    expect(lines).toEqual(['007b'])
  })
})
