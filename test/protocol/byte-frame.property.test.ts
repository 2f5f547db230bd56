import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ByteFrameDecoder, encodeByteFrameBytes } from '../../src/shared/byte-frame'
import { ByteFrameError } from '../../src/shared/byte-value'

const runs = process.env.HOSTPIPE_FUZZ === 'long' ? 2000 : 200

/** JSON values with Uint8Arrays anywhere (the root included). */
const withBytes = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.string(),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value

/** Splits `bytes` into pieces at the given cut points. */
function piecesOf(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const pieces: Uint8Array[] = []
  let at = 0
  for (const p of points) {
    pieces.push(bytes.subarray(at, p))
    at = p
  }
  pieces.push(bytes.subarray(at))
  return pieces
}

describe('byte frame codec properties', () => {
  it('round-trips any JSON value with Uint8Arrays anywhere, however the bytes are cut', () => {
    fc.assert(
      fc.property(withBytes, fc.array(fc.nat(), { maxLength: 8 }), (value, cuts) => {
        const bytes = encodeByteFrameBytes(value)
        const out: unknown[] = []
        const decoder = new ByteFrameDecoder({ onFrame: (v) => out.push(v), maxFrameBytes: bytes.length })
        for (const piece of piecesOf(bytes, cuts)) {
          decoder.push(piece)
          expect(decoder.bufferedBytes).toBeLessThanOrEqual(bytes.length)
        }
        decoder.end()
        expect(out).toEqual([value])
      }),
      { numRuns: runs },
    )
  })

  it('byte soup throws only ByteFrameError and never holds more than the cap, at every step', () => {
    const soup = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        // Frames, whole or with bytes flipped: past the prefix more often than random bytes get.
        fc.tuple(withBytes, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([v, at, byte]) => {
          const frame = encodeByteFrameBytes(v)
          frame[at % frame.length] = byte
          return frame
        }),
      ),
      { maxLength: 6 },
    )
    fc.assert(
      fc.property(soup, fc.integer({ min: 9, max: 512 }), (chunks, cap) => {
        const decoder = new ByteFrameDecoder({ onFrame: () => undefined, maxFrameBytes: cap, maxBlocks: 16 })
        try {
          for (const chunk of chunks) {
            decoder.push(chunk)
            expect(decoder.bufferedBytes).toBeLessThanOrEqual(cap)
          }
          decoder.end()
        } catch (err) {
          if (!(err instanceof ByteFrameError)) throw err
          expect(decoder.bufferedBytes).toBeLessThanOrEqual(cap)
        }
      }),
      { numRuns: runs * 5 },
    )
  })
})
