import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { NdjsonFramer } from '../../src/main/ipc/ndjson-framer'

const enc = new TextEncoder()
// Lenient: the random-bytes property feeds bytes that are not UTF-8.
const dec = new TextDecoder('utf-8')

function collect(maxLineBytes?: number) {
  const lines: string[] = []
  const raw: Uint8Array[] = []
  const tooLarge: number[] = []
  const framer = new NdjsonFramer({
    onLine: (line) => {
      raw.push(line.slice())
      lines.push(dec.decode(line))
    },
    onTooLarge: (bytes) => tooLarge.push(bytes),
    maxLineBytes,
  })
  return { framer, lines, raw, tooLarge }
}

/** Splits `bytes` at the given cut points. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const p of points) {
    chunks.push(bytes.subarray(start, p))
    start = p
  }
  chunks.push(bytes.subarray(start))
  return chunks
}

describe('NdjsonFramer', () => {
  it('delivers each newline-terminated line without its terminator', () => {
    const { framer, lines } = collect()
    framer.push(enc.encode('{"a":1}\n{"b":2}\n'))
    expect(lines).toEqual(['{"a":1}', '{"b":2}'])
  })

  it('holds an unfinished line until its newline arrives', () => {
    const { framer, lines } = collect()
    framer.push(enc.encode('{"a"'))
    expect(lines).toEqual([])
    expect(framer.bufferedBytes).toBe(4)
    framer.push(enc.encode(':1}\n'))
    expect(lines).toEqual(['{"a":1}'])
    expect(framer.bufferedBytes).toBe(0)
  })

  it('accepts \\r\\n as a terminator, also when the \\r and the \\n arrive apart', () => {
    const { framer, lines } = collect()
    framer.push(enc.encode('one\r\ntwo\r'))
    framer.push(enc.encode('\n'))
    expect(lines).toEqual(['one', 'two'])
  })

  it('skips empty lines: they are not frames', () => {
    const { framer, lines } = collect()
    framer.push(enc.encode('\n\r\nx\n\n'))
    expect(lines).toEqual(['x'])
  })

  it('delivers a multi-byte character split across chunks whole', () => {
    const { framer, lines } = collect()
    const bytes = enc.encode('{"label":"é€😀"}\n')
    for (let i = 0; i < bytes.length; i++) framer.push(bytes.subarray(i, i + 1))
    expect(lines).toEqual(['{"label":"é€😀"}'])
  })

  it('accepts a line of exactly the limit, with \\n or \\r\\n', () => {
    const { framer, lines, tooLarge } = collect(8)
    framer.push(enc.encode('12345678\n'))
    framer.push(enc.encode('abcdefgh\r'))
    framer.push(enc.encode('\n'))
    expect(lines).toEqual(['12345678', 'abcdefgh'])
    expect(tooLarge).toEqual([])
  })

  it('reports an over-long unfinished line once, holds no more than the limit, and stops', () => {
    const { framer, lines, tooLarge } = collect(8)
    framer.push(enc.encode('ok\n1234'))
    framer.push(enc.encode('56789'))
    expect(tooLarge).toEqual([9])
    expect(framer.isStopped).toBe(true)
    expect(framer.bufferedBytes).toBe(0)
    framer.push(enc.encode('\nlater\n'))
    expect(lines).toEqual(['ok'])
    expect(tooLarge).toEqual([9])
  })

  it('reports an over-long line that arrives complete in one chunk, and drops what follows it', () => {
    const { framer, lines, tooLarge } = collect(4)
    framer.push(enc.encode('a\n123456\nb\n'))
    expect(lines).toEqual(['a'])
    expect(tooLarge).toEqual([6])
  })

  it('never holds more than the limit of an unfinished line, whatever the chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const { framer } = collect(16)
        for (const chunk of chunked(bytes, cuts)) {
          framer.push(chunk)
          expect(framer.bufferedBytes).toBeLessThanOrEqual(17)
        }
      }),
    )
  })

  it('gives the same lines (and the same verdict) for any chunking of the same bytes', () => {
    const line = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, '')),
      fc.constantFrom('{"cmd":"ping","nonce":1}', 'é€😀', ''),
    )
    const stream = fc
      .tuple(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 12 }), line)
      .map(([lines, tail]) => enc.encode(lines.map(([l, t]) => l + t).join('') + tail))
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 30 }), (bytes, cuts) => {
        const whole = collect(24)
        whole.framer.push(bytes)
        const split = collect(24)
        for (const chunk of chunked(bytes, cuts)) split.framer.push(chunk)
        expect(split.raw).toEqual(whole.raw)
        expect(split.tooLarge.length).toBe(whole.tooLarge.length)
      }),
    )
  })
})

describe('the ASCII fast path (onText)', () => {
  function collectBoth(maxLineBytes: number) {
    const got: Array<{ bytes: number[]; asText: boolean }> = []
    const tooLarge: number[] = []
    const framer = new NdjsonFramer({
      onLine: (line) => got.push({ bytes: [...line], asText: false }),
      onText: (line) => got.push({ bytes: [...enc.encode(line)], asText: true }),
      onTooLarge: (bytes) => tooLarge.push(bytes),
      maxLineBytes,
    })
    return { framer, got, tooLarge }
  }

  it('gives the same lines, byte for byte, and the same verdict as the byte path, for any bytes and chunking', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 30 }),
      fc.constantFrom('{"kind":"command","seq":1,"cmd":"reap_panes"}\n', '\r\n', '\n', 'é', '\u0000'),
    )
    const stream = fc
      .tuple(fc.array(piece, { maxLength: 20 }), fc.uint8Array({ maxLength: 4 }))
      .map(([pieces, junk]) => {
        const text = enc.encode(pieces.join(''))
        const out = new Uint8Array(text.length + junk.length)
        out.set(text)
        out.set(junk, text.length)
        return out
      })
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const slow = collect(24)
        for (const chunk of chunked(bytes, cuts)) slow.framer.push(chunk)
        const fast = collectBoth(24)
        for (const chunk of chunked(bytes, cuts)) fast.framer.push(chunk)
        expect(fast.got.map((g) => g.bytes)).toEqual(slow.raw.map((r) => [...r]))
        expect(fast.tooLarge).toEqual(slow.tooLarge)
      }),
    )
  })

  it('delivers the lines of an ASCII chunk as text, and anything else as bytes', () => {
    const { framer, got } = collectBoth(64)
    framer.push(enc.encode('{"a":1}\r\n{"b":2}\n{"c'))
    framer.push(enc.encode('":3}\n{"d":"é"}\n'))
    expect(got.map((g) => [new TextDecoder().decode(new Uint8Array(g.bytes)), g.asText])).toEqual([
      ['{"a":1}', true],
      ['{"b":2}', true],
      ['{"c":3}', false],
      ['{"d":"é"}', false],
    ])
  })

  it('refuses an over-long ASCII line as the byte path does', () => {
    const { framer, got, tooLarge } = collectBoth(4)
    framer.push(enc.encode('a\n123456\nb\n'))
    expect(got.map((g) => g.asText)).toEqual([true])
    expect(tooLarge).toEqual([6])
  })
})
