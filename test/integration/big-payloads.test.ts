// Big payloads with a real host (test/fixtures/embed/payload-host.mjs, on the built package):
// an input over `maxPayloadBytes` is refused before anything is sent, an output over it fails its
// own call while the host keeps serving, and payloads under the default cap go through.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommands, HostPipeError, SagaFailedError } from '../../src/lib/index'
import { createLauncher } from '../../src/lib/node'
import { fixturePath, launcherFixture } from '../support/launcher-fixture'

const hostEntry = fixturePath('embed/payload-host.mjs')
const MiB = 1024 * 1024

const commands = defineCommands({
  echo: { input: z.object({ text: z.string() }), output: z.object({ text: z.string() }) },
  big: { input: z.object({ size: z.number().int().nonnegative() }), output: z.object({ text: z.string() }) },
})

const start = launcherFixture({ hostEntry, commands, unresponsiveMs: 0, sagaTimeoutMs: 30_000 })

describe('payloads over maxPayloadBytes', () => {
  it('a 4 MiB input is refused at once with PAYLOAD_TOO_LARGE naming both sizes, and nothing is sent', async () => {
    const l = await start({ maxPayloadBytes: MiB })
    const sentBefore = l.diagnostics().counters.sent
    const err = await l.call('echo', { text: 'y'.repeat(4 * MiB) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HostPipeError)
    expect((err as HostPipeError).code).toBe('PAYLOAD_TOO_LARGE')
    expect((err as HostPipeError).message).toMatch(
      /^input of `echo` is 4,194,[0-9]{3} bytes once encoded; maxPayloadBytes is 1,048,576$/,
    )
    expect(l.diagnostics().counters.sent).toBe(sentBefore)
    expect(await l.call('echo', { text: 'small' })).toEqual({ text: 'small' })
  })

  it('a 1.1 MB output fails its call naming both sizes; the same host serves the next call and stop() settles', async () => {
    const l = await start({ maxPayloadBytes: MiB })
    const pid = l.diagnostics().hostPid
    const err = await l.call('big', { size: 1_120_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SagaFailedError)
    expect((err as SagaFailedError).reason).toMatch(
      /^output of `big` is 1,120,[0-9]{3} bytes once encoded; maxPayloadBytes is 1,048,576$/,
    )
    expect(await l.call('echo', { text: 'after' })).toEqual({ text: 'after' })
    expect(l.diagnostics().hostPid).toBe(pid)
    expect(l.diagnostics().restarts).toBe(0)
    await l.stop()
  })
})

describe('payloads under the default cap (64 MiB)', () => {
  it('a 4 MiB output and a 4 MiB input both go through', async () => {
    const l = await start()
    const out = await l.call('big', { size: 4 * MiB })
    expect(out.text.length).toBe(4 * MiB)
    const echoed = await l.call('echo', { text: 'z'.repeat(4 * MiB) })
    expect(echoed.text).toBe('z'.repeat(4 * MiB))
  })
})

describe('maxPayloadBytes is checked', () => {
  it.each([0, 1023, 1.5, 2 ** 40, '1024'])('refuses %s with a TypeError naming the option', (value) => {
    expect(() => createLauncher({ hostEntry, commands, maxPayloadBytes: value as number })).toThrow(
      /^maxPayloadBytes must be an integer from 1,024 to 268,435,456 \(bytes\), got /,
    )
  })
})
