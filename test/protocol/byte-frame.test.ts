import { describe, expect, it } from 'vitest'
import { ByteFrameDecoder, encodeByteFrameBytes } from '../../src/shared/byte-frame'
import { byteBlocksLength, ByteFrameError, joinValue, splitValue } from '../../src/shared/byte-value'

function decodeAll(bytes: Uint8Array, maxFrameBytes = 1 << 20): unknown[] {
  const out: unknown[] = []
  const decoder = new ByteFrameDecoder({ onFrame: (v) => out.push(v), maxFrameBytes })
  decoder.push(bytes)
  decoder.end()
  return out
}

function errorOf(fn: () => unknown): ByteFrameError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ByteFrameError)
    return err as ByteFrameError
  }
  throw new Error('expected a ByteFrameError')
}

describe('byte frame codec', () => {
  it('lists each block by its path beside the JSON, with null in its place', () => {
    const img = new Uint8Array([1, 2, 3])
    const { header, blocks } = splitValue({ input: { img }, out: [0, 1, 2, Buffer.from('hi')] })
    expect(JSON.parse(header)).toEqual({
      v: { input: { img: null }, out: [0, 1, 2, null] },
      b: [
        ['input', 'img'],
        ['out', 3],
      ],
    })
    expect(blocks).toHaveLength(2)
    expect(blocks[0]).toBe(img)
  })

  it('gives a Buffer back as a Uint8Array with the same bytes, and app keys named v or b stay data', () => {
    const value = { v: 1, b: [Buffer.from([9, 8, 7])], __proto__x: null }
    const [decoded] = decodeAll(encodeByteFrameBytes(value))
    expect(decoded).toEqual({ v: 1, b: [new Uint8Array([9, 8, 7])], __proto__x: null })
    expect(Buffer.isBuffer((decoded as { b: Uint8Array[] }).b[0])).toBe(false)
  })

  it('keeps a `__proto__` key an own property holding the bytes, never the prototype', () => {
    const header = '{"v":{"__proto__":null},"b":[["__proto__"]]}'
    const value = joinValue(header, [new Uint8Array([1])]) as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual(new Uint8Array([1]))
  })

  it('decodes a frame that arrives one byte at a time, and two frames in one chunk', () => {
    const a = encodeByteFrameBytes({ n: 1, data: new Uint8Array([5, 6]) })
    const b = encodeByteFrameBytes([new Uint8Array(0), 'x'])
    const out: unknown[] = []
    const decoder = new ByteFrameDecoder({ onFrame: (v) => out.push(v), maxFrameBytes: 1024 })
    for (let i = 0; i < a.length; i++) decoder.push(a.subarray(i, i + 1))
    const both = new Uint8Array(a.length + b.length)
    both.set(a)
    both.set(b, a.length)
    decoder.push(both)
    decoder.end()
    expect(out).toEqual([
      { n: 1, data: new Uint8Array([5, 6]) },
      { n: 1, data: new Uint8Array([5, 6]) },
      [new Uint8Array(0), 'x'],
    ])
  })

  it('reads each body into memory from allocateBody, overwriting all of it, the blocks viewing it', () => {
    const bodies: Uint8Array[] = []
    const out: unknown[] = []
    const decoder = new ByteFrameDecoder({
      maxFrameBytes: 1 << 20,
      onFrame: (v) => out.push(v),
      // Filled with junk, as unzeroed memory may be: none of it may show through.
      allocateBody: (n) => {
        bodies.push(new Uint8Array(n).fill(0xee))
        return bodies.at(-1)!
      },
    })
    const frame = encodeByteFrameBytes({ a: new Uint8Array([1, 2, 3]), b: new Uint8Array(0) })
    for (let i = 0; i < frame.length; i += 5) decoder.push(frame.subarray(i, i + 5))
    expect(out).toEqual([{ a: new Uint8Array([1, 2, 3]), b: new Uint8Array(0) }])
    expect(bodies).toHaveLength(1)
    expect((out[0] as { a: Uint8Array }).a.buffer).toBe(bodies[0]!.buffer)
    expect(bodies[0]!.includes(0xee)).toBe(false)
  })

  it('refuses a frame whose declared size is over the cap before buffering its body', () => {
    const frame = encodeByteFrameBytes({ data: new Uint8Array(4096) })
    const decoder = new ByteFrameDecoder({ onFrame: () => undefined, maxFrameBytes: 1024 })
    const err = errorOf(() => decoder.push(frame.subarray(0, 13)))
    expect(err.code).toBe('FRAME_TOO_LARGE')
    expect(err.message).toMatch(/maxFrameBytes is 1024/)
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(1024)
    // Done once refused: the stream can no longer be trusted.
    expect(errorOf(() => decoder.push(new Uint8Array([0]))).code).toBe('FRAME_TOO_LARGE')
  })

  it('refuses truncation at the end of the stream, naming how far it got', () => {
    const frame = encodeByteFrameBytes({ data: new Uint8Array(10) })
    const decoder = new ByteFrameDecoder({ onFrame: () => undefined, maxFrameBytes: 1024 })
    decoder.push(frame.subarray(0, frame.length - 3))
    const err = errorOf(() => decoder.end())
    expect(err.code).toBe('TRUNCATED')
    expect(err.message).toMatch(/body bytes/)
  })

  it('refuses a frame that does not start with the 0x00 marker', () => {
    const err = errorOf(() => decodeAll(new TextEncoder().encode('{"cmd":"ack"}\n')))
    expect(err.code).toBe('BAD_MARKER')
    expect(err.message).toMatch(/0x7b/)
  })

  it('refuses more blocks than maxBlocks, before reading their lengths', () => {
    const frame = encodeByteFrameBytes([new Uint8Array(1), new Uint8Array(1), new Uint8Array(1)])
    const decoder = new ByteFrameDecoder({ onFrame: () => undefined, maxFrameBytes: 1024, maxBlocks: 2 })
    const err = errorOf(() => decoder.push(frame.subarray(0, 9)))
    expect(err.code).toBe('TOO_MANY_BLOCKS')
    expect(err.message).toBe('frame declares 3 blocks; the most is 2')
  })

  it.each([
    ['{"v":{"a":1},"b":[["a"]]}', /does not lead to a null/],
    ['{"v":{"a":null},"b":[["z"]]}', /step 0 is not a key/],
    ['{"v":[null],"b":[[1]]}', /step 0 is not an index/],
    ['{"v":{"a":null},"b":["a"]}', /path 0 is not an array/],
    ['{"v":{"a":null,"c":null},"b":[["a"],["a"]]}', /path 1 \["a"\]: it does not lead to a null/],
  ])('refuses a path that does not lead to a null in the JSON: %s', (header, message) => {
    const blocks = (JSON.parse(header) as { b: unknown[] }).b.map(() => new Uint8Array(1))
    const err = errorOf(() => joinValue(header, blocks))
    expect(err.code).toBe('BAD_PATH')
    expect(err.message).toMatch(message)
  })

  it.each([
    ['not json', /not JSON/],
    ['[1]', /not an object/],
    ['{"b":[]}', /no `v`/],
    ['{"v":1}', /`b` is not an array/],
    ['{"v":null,"b":[]}', /lists 0 paths for 1 blocks/],
  ])('refuses a header that is not {"v":…,"b":[…]} matching one block: %s', (header, message) => {
    const err = errorOf(() => joinValue(header, [new Uint8Array(1)]))
    expect(err.code).toBe('BAD_HEADER')
    expect(err.message).toMatch(message)
  })

  it('refuses a value JSON cannot hold with NOT_ENCODABLE', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(errorOf(() => splitValue(cyclic)).code).toBe('NOT_ENCODABLE')
    expect(errorOf(() => splitValue({ n: 1n })).code).toBe('NOT_ENCODABLE')
    expect(errorOf(() => splitValue(undefined)).code).toBe('NOT_ENCODABLE')
  })

  it('refuses to encode a frame over the encoder’s maxFrameBytes, naming both sizes', () => {
    const err = errorOf(() => encodeByteFrameBytes({ data: new Uint8Array(2000) }, { maxFrameBytes: 1000 }))
    expect(err.code).toBe('FRAME_TOO_LARGE')
    expect(err.message).toMatch(/^frame is 20[0-9]{2} bytes once encoded; maxFrameBytes is 1000$/)
  })
})

describe('byteBlocksLength', () => {
  it('adds up the bytes of every Uint8Array in a value, and says −1 when it holds none', () => {
    expect(byteBlocksLength({ a: 1, b: 'x', c: [1, { d: null }] })).toBe(-1)
    expect(byteBlocksLength(7)).toBe(-1)
    expect(byteBlocksLength(new Uint8Array(3))).toBe(3)
    expect(byteBlocksLength({ a: new Uint8Array(0) })).toBe(0)
    expect(byteBlocksLength({ a: Buffer.from('hello'), b: [{ c: new Uint8Array(10) }] })).toBe(15)
  })

  it('ends on a cycle (such a value fails later, when it is encoded)', () => {
    const deep: Record<string, unknown> = { data: new Uint8Array(4) }
    let at = deep
    for (let i = 0; i < 12; i++) at = (at.next = { x: i }) as Record<string, unknown>
    at.back = deep
    expect(byteBlocksLength({ deep })).toBeGreaterThanOrEqual(4)
  })
})
