// What a caller sees when its time runs out, and what it cannot send, with a real host process
// whose entry file uses the built `hostpipe/host` (dist/).
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommands, HostPipeError, SagaFailedError } from '../../src/lib/index'
import { embedCommands } from '../support/embed-commands'
import { fixturePath, launcherFixture } from '../support/launcher-fixture'

// The embed fixture host's commands, and `at`, whose schema the wire cannot honour: the launcher
// must refuse it before sending.
const commands = defineCommands({
  ...embedCommands,
  at: { input: z.object({ when: z.date() }), output: z.object({}) },
  // Keeps unknown keys: a caller could pass the envelope's own fields through it.
  loose: { input: z.looseObject({ a: z.number() }), output: z.object({}) },
})

const start = launcherFixture({ hostEntry: fixturePath('embed/host.mjs'), commands, standby: 0 })

describe('call timeouts', () => {
  it('always rejects a timed-out call with a TimeoutError naming the value and the option', async () => {
    const l = await start()
    // The handler gives up when its signal fires at the deadline, racing the launcher's own timer:
    // whichever comes first, the caller sees the same error.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) => l.call('wait', { ms: 10_000 }, { timeoutMs: 20 + (i % 6) * 5 })),
    )
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected')
      const err = (outcome as PromiseRejectedResult).reason as DOMException
      expect(err.name).toBe('TimeoutError')
      expect(err.message).toMatch(/^call `wait` timed out after \d+ ms \(its timeoutMs\)$/)
    }
  })

  it('names the launcher option when the call gave no timeout', async () => {
    const l = await start({ sagaTimeoutMs: 60 })
    await expect(l.call('wait', { ms: 10_000 })).rejects.toMatchObject({
      name: 'TimeoutError',
      message: expect.stringMatching(/after 60 ms \(the launcher's sagaTimeoutMs/),
    })
  })

  it('lets a call with timeoutMs Infinity (or 0) run past the launcher default, without a deadline', async () => {
    const l = await start({ sagaTimeoutMs: 50 })
    await expect(l.call('wait', { ms: 300 }, { timeoutMs: Infinity })).resolves.toEqual({ waited: 300 })
    await expect(l.call('wait', { ms: 200 }, { timeoutMs: 0 })).resolves.toEqual({ waited: 200 })
  })

  it('refuses a timeoutMs that is neither a positive integer nor Infinity/0', async () => {
    const l = await start()
    for (const bad of [-1, 1.5, Number.NaN])
      await expect(l.call('add', { a: 1, b: 2 }, { timeoutMs: bad })).rejects.toMatchObject({
        code: 'INVALID_COMMAND',
        message: expect.stringContaining('timeoutMs'),
      })
  })
})

describe('a host that exits mid-call', () => {
  it('fails the call with the words that it may have run, then the exit code', async () => {
    const l = await start()
    const pid = l.diagnostics().hostPid
    const err = await l.call('exit', { code: 3 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SagaFailedError)
    expect((err as SagaFailedError).reason).toBe('host disconnected before ack (exit code 3)')
    // The next host serves the next call.
    await expect(l.call('add', { a: 1, b: 2 })).resolves.toEqual({ sum: 3 })
    expect(l.diagnostics().hostPid).not.toBe(pid)
  })
})

describe('inputs the wire cannot carry', () => {
  it('refuses a Date the schema accepts with INVALID_COMMAND naming the field, sending nothing', async () => {
    const l = await start()
    const err = await l.call('at', { when: new Date() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HostPipeError)
    expect(err).toMatchObject({
      code: 'INVALID_COMMAND',
      message: expect.stringContaining('input.when is a Date'),
    })
    expect(l.diagnostics().sagas.started).toBe(0)
    await expect(l.call('add', { a: 1, b: 2 })).resolves.toEqual({ sum: 3 })
  })
  it('refuses an envelope field a loose schema lets through, so the host never reads it as the envelope', async () => {
    const l = await start()
    for (const field of ['kind', 'seq', 'cmd', 'saga_id', 'deadline']) {
      const err = await l.call('loose', { a: 1, [field]: 'add' }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(HostPipeError)
      expect(err).toMatchObject({
        code: 'INVALID_COMMAND',
        message: expect.stringContaining(`input.${field} is reserved`),
      })
    }
    expect(l.diagnostics().sagas.started).toBe(0)
  })
})
