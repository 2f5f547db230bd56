import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { agentMuxCommands } from '../../src/shared/agentmux-commands'
import { defineCommands, type CommandDefinitions } from '../../src/shared/define-commands'
import { DefinedCommandDispatcher } from '../../src/main/host/defined-command-dispatcher'

const commands = defineCommands({
  add: { input: z.object({ a: z.number(), b: z.number() }), output: z.object({ sum: z.number() }) },
  later: { input: z.object({}), output: z.object({ ok: z.boolean() }) },
})
const ctx = { signal: new AbortController().signal, deadline: 123, sagaId: 7 }

function dispatcher(
  handlers: Partial<ConstructorParameters<typeof DefinedCommandDispatcher<typeof commands>>[1]> = {},
) {
  return new DefinedCommandDispatcher(commands, {
    add: ({ a, b }) => ({ sum: a + b }),
    later: async () => ({ ok: true }),
    ...handlers,
  })
}

describe('DefinedCommandDispatcher (the host side of §9)', () => {
  it('parses the flattened input, runs the handler and reports report_result with the output', () => {
    const report = dispatcher().handle({ cmd: 'add', saga_id: 7, deadline: 123, a: 2, b: 3 }, ctx)
    expect(report).toEqual({ cmd: 'report_result', saga_id: 7, output: { sum: 5 } })
  })

  it('awaits an async handler', async () => {
    await expect(dispatcher().handle({ cmd: 'later', saga_id: 7 }, ctx)).resolves.toEqual({
      cmd: 'report_result',
      saga_id: 7,
      output: { ok: true },
    })
  })

  it('hands the handler its context: signal, deadline and saga id', () => {
    let seen: unknown
    dispatcher({
      add: (_input, c) => ((seen = { deadline: c.deadline, sagaId: c.sagaId, signal: c.signal }), { sum: 0 }),
    }).handle({ cmd: 'add', saga_id: 7, a: 0, b: 0 }, ctx)
    expect(seen).toEqual({ deadline: 123, sagaId: 7, signal: ctx.signal })
  })

  it('throws naming the field when the input or the output fails its schema', () => {
    expect(() => dispatcher().handle({ cmd: 'add', saga_id: 7, a: 'x', b: 3 }, ctx)).toThrow(
      /invalid input for `add`: `a`/,
    )
    const bad = dispatcher({ add: () => ({ sum: 'five' }) as never })
    expect(() => bad.handle({ cmd: 'add', saga_id: 7, a: 1, b: 1 }, ctx)).toThrow(
      /output of `add` is invalid: `sum`/,
    )
  })

  it('answers a ui-thread probe sent as a command, as the protocol’s own', () => {
    expect(dispatcher().handle({ cmd: 'probe_ui_thread', nonce: 4 }, ctx)).toEqual({
      cmd: 'report_ui_thread_alive',
      nonce: 4,
    })
  })

  it('serves only the commands it was given: an AgentMux command fails as any undefined one', () => {
    expect(() => dispatcher().handle({ cmd: 'spawn_pool_window', saga_id: 7 }, ctx)).toThrow(
      'host does not define command `spawn_pool_window`',
    )
    expect(() => dispatcher().handle({ cmd: 'toString', saga_id: 7 }, ctx)).toThrow(
      'host does not define command `toString`',
    )
  })

  it('serves the AgentMux commands beside the app’s when given them, in their own report frames', () => {
    const both = new DefinedCommandDispatcher(
      { ...agentMuxCommands, ...commands },
      {
        spawn_pool_window: () => ({ label: 'w9' }),
        reap_panes: ({ label }) => ({ label }),
        drain_pool_if_last: ({ label }) => ({ label, was_last: false }),
        add: ({ a, b }) => ({ sum: a + b }),
        later: () => ({ ok: true }),
      },
    )
    expect(both.handle({ cmd: 'spawn_pool_window', saga_id: 7 }, ctx)).toEqual({
      cmd: 'report_pool_window_added',
      label: 'w9',
      saga_id: 7,
    })
    expect(both.handle({ cmd: 'add', saga_id: 7, a: 1, b: 2 }, ctx)).toEqual({
      cmd: 'report_result',
      saga_id: 7,
      output: { sum: 3 },
    })
  })

  it('keeps arrival order for the AgentMux commands (by name or by their definition) and for no app command', () => {
    const renamed = new DefinedCommandDispatcher(
      { ...commands, window: agentMuxCommands.spawn_pool_window },
      { add: () => ({ sum: 0 }), later: () => ({ ok: true }), window: () => ({ label: 'w1' }) },
    )
    expect(renamed.keepsArrivalOrder({ cmd: 'window', saga_id: 1 })).toBe(true)
    expect(renamed.keepsArrivalOrder({ cmd: 'reap_panes', label: 'w1' })).toBe(true)
    expect(renamed.keepsArrivalOrder({ cmd: 'add', a: 1, b: 2 })).toBe(false)
    expect(renamed.keepsArrivalOrder({ cmd: 'not_defined' })).toBe(false)
  })

  it('gives a plain, a strict and a loose input schema the fields beside the envelope alone', () => {
    const shapes = defineCommands({
      plain: { input: z.object({ a: z.number() }), output: z.unknown() },
      strict: { input: z.strictObject({ a: z.number() }), output: z.unknown() },
      loose: { input: z.looseObject({ a: z.number() }), output: z.unknown() },
    })
    const echo = (input: unknown) => input
    const d = new DefinedCommandDispatcher(shapes, { plain: echo, strict: echo, loose: echo })
    const outputOf = (name: string, fields: Record<string, unknown>) =>
      (d.handle({ cmd: name, saga_id: 7, deadline: 123, ...fields }, ctx) as { output: unknown }).output
    expect(outputOf('plain', { a: 1, extra: 2 })).toEqual({ a: 1 })
    expect(outputOf('strict', { a: 1 })).toEqual({ a: 1 })
    expect(() => outputOf('strict', { a: 1, extra: 2 })).toThrow(/invalid input for `strict`.*extra/)
    expect(outputOf('loose', { a: 1, extra: 2 })).toEqual({ a: 1, extra: 2 })
  })

  it('serves an input schema that is not an object (definitions not checked by defineCommands) from the fields beside the envelope', () => {
    const unchecked = {
      total: { input: z.object({ a: z.number() }).transform((i) => i.a * 2), output: z.number() },
    } as unknown as CommandDefinitions
    const d = new DefinedCommandDispatcher(unchecked, { total: (n: unknown) => n } as never)
    const report = d.handle({ cmd: 'total', saga_id: 7, deadline: 123, a: 21 }, ctx) as { output: unknown }
    expect(report.output).toBe(42)
  })

  it('refuses a command without a handler and a handler without a command', () => {
    expect(() => new DefinedCommandDispatcher(commands, { add: () => ({ sum: 1 }) } as never)).toThrow(
      'runHost: no handler for command `later`',
    )
    expect(
      () =>
        new DefinedCommandDispatcher(commands, {
          add: () => ({ sum: 1 }),
          later: () => ({ ok: true }),
          extra: () => 1,
        } as never),
    ).toThrow('runHost: handler `extra` has no command definition')
  })
})
