// Type-level tests: this file is typechecked (`npm run typecheck`), so each `@ts-expect-error`
// fails the build when the line under it stops being a compile error.
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { defineCommands } from '../../src/lib/index'
import type { CommandHandlersOf } from '../../src/lib/host'
import type { HostpipeLauncher } from '../../src/lib/node'

const commands = defineCommands({
  add: { input: z.object({ a: z.number(), b: z.number() }), output: z.object({ sum: z.number() }) },
  greet: { input: z.object({ name: z.string().default('you') }), output: z.string() },
})
type Launcher = HostpipeLauncher<typeof commands>

describe('call and handlers are typed from the definitions', () => {
  it('types call’s input and result per command', () => {
    expectTypeOf(commands.add.input).toEqualTypeOf<z.ZodObject<{ a: z.ZodNumber; b: z.ZodNumber }>>()
    expectTypeOf<ReturnType<Launcher['call']>>().toEqualTypeOf<Promise<{ sum: number } | string>>()
    const call = undefined as unknown as Launcher['call']
    expectTypeOf(call<'add'>)
      .parameter(1)
      .toEqualTypeOf<{ a: number; b: number }>()
    expectTypeOf(call<'add'>).returns.toEqualTypeOf<Promise<{ sum: number }>>()
    // A field with a default may be left out by the caller; the handler gets it filled in.
    expectTypeOf(call<'greet'>)
      .parameter(1)
      .toEqualTypeOf<{ name?: string | undefined }>()
    expectTypeOf<Parameters<CommandHandlersOf<typeof commands>['greet']>[0]>().toEqualTypeOf<{
      name: string
    }>()
  })

  it('makes a wrong input, an unknown name and a handler’s wrong output compile errors', () => {
    const typecheckOnly = (l: Launcher): void => {
      // @ts-expect-error: `b` must be a number
      void l.call('add', { a: 1, b: '2' })
      // @ts-expect-error: `b` is missing
      void l.call('add', { a: 1 })
      // @ts-expect-error: no command of that name
      void l.call('subtract', { a: 1, b: 2 })
    }
    const handlers: CommandHandlersOf<typeof commands> = {
      // @ts-expect-error: the output must be { sum: number }
      add: ({ a, b }) => ({ total: a + b }),
      greet: async ({ name }, { signal, deadline, sagaId }) => {
        expectTypeOf(signal).toEqualTypeOf<AbortSignal>()
        expectTypeOf(deadline).toEqualTypeOf<number>()
        expectTypeOf(sagaId).toEqualTypeOf<number>()
        return `hello ${name}`
      },
    }
    expectTypeOf(typecheckOnly).toBeFunction()
    expectTypeOf(handlers).toBeObject()
  })
})
