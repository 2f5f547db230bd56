// Bytes with a real host (test/fixtures/embed/bytes-host.mjs, on the built package), over the
// pipe socket and the headless port transport: a Uint8Array in an input or an output arrives as
// a Uint8Array with the same bytes, a Buffer included, big or small.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommands, HostPipeError } from '../../src/lib/index'
import { fixturePath, launcherFixture } from '../support/launcher-fixture'

const MiB = 1024 * 1024
const bytes = z.instanceof(Uint8Array)

const commands = defineCommands({
  echo: { input: z.object({ data: bytes }), output: z.object({ data: bytes }) },
  fill: {
    input: z.object({ size: z.number().int().nonnegative(), byte: z.number().int() }),
    output: z.object({ nested: z.array(z.object({ data: bytes })) }),
  },
})

const start = launcherFixture({
  hostEntry: fixturePath('embed/bytes-host.mjs'),
  commands,
  unresponsiveMs: 0,
  sagaTimeoutMs: 30_000,
})

function pattern(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 0xff
  return out
}

describe.each(['pipe', 'port'] as const)('bytes over the %s transport', (transport) => {
  it('echoes a Uint8Array as a Uint8Array with the same bytes, a 0x00 and a newline byte included', async () => {
    const l = await start({ transport })
    const data = new Uint8Array([0, 10, 13, 0x7b, 255, 0])
    const out = await l.call('echo', { data })
    expect(out.data).toBeInstanceOf(Uint8Array)
    expect(Array.from(out.data)).toEqual(Array.from(data))
    expect(await l.call('echo', { data: new Uint8Array(0) })).toEqual({ data: new Uint8Array(0) })
  })

  it('takes a Buffer (a view of a pooled ArrayBuffer) and gives back only its own bytes', async () => {
    const l = await start({ transport })
    const data = Buffer.from('hello bytes')
    expect(data.buffer.byteLength).toBeGreaterThan(data.byteLength)
    const out = await l.call('echo', { data })
    expect(Buffer.from(out.data).toString()).toBe('hello bytes')
  })

  it('carries 32 MiB both ways and a nested Buffer output, and small calls go on between them', async () => {
    const l = await start({ transport })
    const data = pattern(32 * MiB)
    const out = await l.call('echo', { data })
    expect(out.data.byteLength).toBe(32 * MiB)
    expect(Buffer.compare(out.data, data)).toBe(0)
    const filled = await l.call('fill', { size: 3 * MiB, byte: 0xab })
    expect(filled.nested[0]!.data.byteLength).toBe(3 * MiB)
    expect(filled.nested[0]!.data.every((b) => b === 0xab)).toBe(true)
    const [a, b] = await Promise.all([
      l.call('echo', { data: pattern(5) }),
      l.call('fill', { size: 2, byte: 1 }),
    ])
    expect(Array.from(a.data)).toEqual(Array.from(pattern(5)))
    expect(Array.from(b.nested[0]!.data)).toEqual([1, 1])
  })

  it('refuses bytes over maxPayloadBytes at once with PAYLOAD_TOO_LARGE, and fails only the call whose output is too big', async () => {
    const l = await start({ transport, maxPayloadBytes: MiB })
    const err = await l.call('echo', { data: new Uint8Array(2 * MiB) }).catch((e: unknown) => e)
    expect((err as HostPipeError).code).toBe('PAYLOAD_TOO_LARGE')
    expect((err as HostPipeError).message).toMatch(
      /^input of `echo` is 2,097,[0-9]{3} bytes once encoded; maxPayloadBytes is 1,048,576$/,
    )
    const failed = await l.call('fill', { size: 2 * MiB, byte: 1 }).catch((e: unknown) => e)
    expect(String((failed as Error).message)).toMatch(
      /output of `fill` is 2,097,[0-9]{3} bytes once encoded; maxPayloadBytes is 1,048,576/,
    )
    expect(Array.from((await l.call('echo', { data: new Uint8Array([9]) })).data)).toEqual([9])
  })
})
