// Bytes in progress values, stream chunks and event payloads, with a real host process
// (test/fixtures/streams/host.mjs, on the built package), over both transports: each arrives as a
// Uint8Array with the same bytes (docs/protocol.md#byte-frames).
import { describe, expect, it } from 'vitest'
import { fixturePath, launcherFixture } from '../support/launcher-fixture'
import { streamCommands, streamEvents } from '../support/stream-definitions'

const MiB = 1024 * 1024

const start = launcherFixture({
  hostEntry: fixturePath('streams/host.mjs'),
  commands: streamCommands,
  events: streamEvents,
  standby: 0,
  unresponsiveMs: 0,
})

/** True when every byte of `data` is `value`. */
const isAll = (data: Uint8Array, value: number): boolean => data.every((b) => b === (value & 0xff))

describe.each(['pipe', 'port'] as const)(
  'bytes in progress, chunks and events over the %s transport',
  (transport) => {
    it('streams Uint8Array chunks in order with the same bytes, a 2 MiB one included, and a Uint8Array result', async () => {
      const l = await start({ transport })
      const stream = l.stream('pieces', { n: 5, size: 2 * MiB })
      const seen: number[] = []
      for await (const chunk of stream) {
        expect(chunk).toBeInstanceOf(Uint8Array)
        expect(chunk.byteLength).toBe(2 * MiB)
        expect(isAll(chunk, seen.length)).toBe(true)
        seen.push(chunk[0]!)
      }
      expect(seen).toEqual([0, 1, 2, 3, 4])
      const { last } = await stream.result
      expect(last.byteLength).toBe(2 * MiB)
      expect(isAll(last, 4)).toBe(true)
    })

    it('sends each chunk with the bytes it had when yielded, though the generator refills one buffer', async () => {
      const l = await start({ transport })
      const seen: number[][] = []
      for await (const chunk of l.stream('refilled', { n: 20, size: 64 * 1024 }))
        seen.push([chunk[0]!, chunk[chunk.byteLength - 1]!])
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => [i, i]))
    })

    it('delivers events whose payloads hold bytes, in order, before the call settles', async () => {
      const l = await start({ transport })
      const pieces: Array<{ i: number; data: Uint8Array }> = []
      l.on('piece', (payload) => pieces.push(payload))
      let chunks = 0
      for await (const chunk of l.stream('pieces', { n: 3, size: 1 })) chunks += chunk.byteLength
      expect(chunks).toBe(3)
      expect(pieces.map((p) => p.i)).toEqual([0, 1, 2])
      for (const { i, data } of pieces) {
        expect(data).toBeInstanceOf(Uint8Array)
        expect(Array.from(data)).toEqual(new Array<number>(i + 1).fill(i))
      }
    })

    it('delivers progress values holding bytes (a Buffer on the host) in order, the last one always', async () => {
      const l = await start({ transport })
      const seen: number[] = []
      const out = await l.call(
        'bytesJob',
        { steps: 20, size: 256 * 1024 },
        {
          onProgress: ({ done, data }) => {
            expect(data).toBeInstanceOf(Uint8Array)
            expect(data.byteLength).toBe(256 * 1024)
            expect(isAll(data, done)).toBe(true)
            seen.push(done)
          },
        },
      )
      expect(out).toEqual({ ok: true })
      expect(seen.at(-1)).toBe(19)
      expect([...seen].sort((a, b) => a - b)).toEqual(seen)
    })
  },
)
