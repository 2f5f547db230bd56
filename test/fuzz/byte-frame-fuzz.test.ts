// Byte frames as a hostile or broken peer sends them, fed to the decoder in pieces of any size:
// oversized declared lengths, truncations, headers that do not fit their blocks, random bytes
// after a 0x00 marker. The decoder throws ByteFrameError and nothing else, never holds more than
// its cap, and its message names what was wrong.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ByteFrameDecoder, encodeByteFrameBytes } from '../../src/shared/byte-frame'
import { ByteFrameError } from '../../src/shared/byte-value'

const isLong = process.env.HOSTPIPE_FUZZ === 'long'
const RUNS = isLong ? 5_000 : 500
const SEED = Number(process.env.HOSTPIPE_FUZZ_SEED ?? 7_310_2025)
const MAX_FRAME_BYTES = 64 * 1024

/** What each kind of damage may be reported as. */
const MESSAGES: Record<string, RegExp> = {
  FRAME_TOO_LARGE: /^frame declares \d+\+ bytes; maxFrameBytes is \d+$/,
  TOO_MANY_BLOCKS: /^frame declares \d+ blocks; the most is \d+$/,
  TRUNCATED: /^stream ended inside a frame \(after \d+ (of its \d+ body bytes|bytes of its lengths)\)$/,
  BAD_MARKER: /^frame starts with byte 0x[0-9a-f]{2}, not 0x00$/,
  BAD_HEADER: /header/,
  BAD_PATH: /^path \d+ /,
}

const goodFrame = fc
  .record({
    text: fc.string({ maxLength: 20 }),
    blocks: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }),
  })
  .map((v) => encodeByteFrameBytes(v))

/** A damaged frame: what was done to it, and its bytes. */
const damagedFrame = fc.oneof(
  goodFrame.map((f) => ({ damage: 'none', bytes: f })),
  fc
    .tuple(goodFrame, fc.nat())
    .map(([f, cut]) => ({ damage: 'truncated', bytes: f.subarray(0, cut % Math.max(1, f.byteLength)) })),
  fc
    .tuple(goodFrame, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 0xffffffff }))
    .map(([f, at, n]) => {
      const bytes = f.slice()
      // A length field overwritten: the header's, or a block's (or the block count).
      const offset = Math.min(1 + 4 * ((at - 1) % 3), Math.max(1, bytes.byteLength - 4))
      new DataView(bytes.buffer).setUint32(offset, n)
      return { damage: 'length', bytes }
    }),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((tail) => {
    const bytes = new Uint8Array(tail.byteLength + 1)
    bytes.set(tail, 1)
    return { damage: 'random after 0x00', bytes }
  }),
  fc.tuple(goodFrame, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([f, at, b]) => {
    const bytes = f.slice()
    bytes[9 + (at % Math.max(1, bytes.byteLength - 9))] = b
    return { damage: 'flipped byte', bytes }
  }),
)

describe('byte frames from a broken or hostile peer', () => {
  it('refuse bad frames with a ByteFrameError naming what was wrong, never hold more than the cap, and decode good ones', () => {
    fc.assert(
      fc.property(
        damagedFrame,
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }),
        (frame, cuts) => {
          let frames = 0
          let peak = 0
          const decoder = new ByteFrameDecoder({ maxFrameBytes: MAX_FRAME_BYTES, onFrame: () => frames++ })
          let error: unknown
          try {
            for (let at = 0, i = 0; at < frame.bytes.byteLength; i++) {
              const n = cuts[i % cuts.length]!
              decoder.push(frame.bytes.subarray(at, at + n))
              peak = Math.max(peak, decoder.bufferedBytes)
              at += n
            }
            decoder.end()
          } catch (err) {
            error = err
          }
          expect(peak).toBeLessThanOrEqual(MAX_FRAME_BYTES)
          if (error === undefined) {
            // Nothing sent is no frame and no error.
            expect(frames).toBe(frame.bytes.byteLength === 0 ? 0 : 1)
            return
          }
          expect(error).toBeInstanceOf(ByteFrameError)
          const { code, message } = error as ByteFrameError
          expect(message).toMatch(MESSAGES[code]!)
          if (frame.damage === 'none') throw new Error(`a good frame was refused: ${message}`)
        },
      ),
      { numRuns: RUNS, seed: SEED },
    )
  })
})
