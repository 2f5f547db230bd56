// A real host process (test/fixtures/embed/older-host.mjs, on the built `hostpipe/host`) built
// from older definitions than its launcher's: a command it does not define and an output JSON
// cannot carry each fail their own call at once, and the same host serves the next call.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommands, SagaFailedError } from '../../src/lib/index'
import { fixturePath, launcherFixture } from '../support/launcher-fixture'

const commands = defineCommands({
  add: { input: z.object({ a: z.number(), b: z.number() }), output: z.object({ sum: z.number() }) },
  total: { input: z.object({}), output: z.object({ total: z.number() }) },
  newer: { input: z.object({}), output: z.object({}) },
})

const start = launcherFixture({
  hostEntry: fixturePath('embed/older-host.mjs'),
  commands,
  unresponsiveMs: 0,
  sagaTimeoutMs: 30_000,
})

describe('calls a host cannot answer with a result', () => {
  it('a command the host does not define fails at once, naming it, and the host is kept', async () => {
    const l = await start()
    const pid = l.diagnostics().hostPid
    expect(pid).toBeGreaterThan(0)
    const began = Date.now()
    const err = await l.call('newer', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SagaFailedError)
    expect((err as SagaFailedError).reason).toBe('host does not define command `newer`')
    expect(Date.now() - began).toBeLessThan(5_000)
    expect(await l.call('add', { a: 2, b: 3 })).toEqual({ sum: 5 })
    expect(l.diagnostics().hostPid).toBe(pid)
    expect(l.diagnostics().restarts).toBe(0)
  })

  it('a BigInt result fails only its call, and the next call on the same host succeeds', async () => {
    const l = await start()
    const pid = l.diagnostics().hostPid
    const err = await l.call('total', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SagaFailedError)
    expect((err as SagaFailedError).reason).toBe('output is not encodable: output.total is a BigInt')
    expect(await l.call('add', { a: 1, b: 1 })).toEqual({ sum: 2 })
    expect(l.diagnostics().hostPid).toBe(pid)
    expect(l.diagnostics().restarts).toBe(0)
  })
})
