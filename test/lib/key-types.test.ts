// Type-level tests: this file is typechecked (`npm run typecheck`), so each `@ts-expect-error`
// fails the build when the line under it stops being a compile error.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { defineCommands, type CommandDefinitions, type CommandChunk } from '../../src/lib/index'
import type { CommandHandlersOf } from '../../src/lib/host'
import type { HostpipeLauncher } from '../../src/lib/node'

const commands = defineCommands({
  save: {
    input: z.object({ user: z.string(), doc: z.string() }),
    output: z.object({ ok: z.boolean() }),
    key: (input) => {
      expectTypeOf(input).toEqualTypeOf<{ user: string; doc: string }>()
      return input.user
    },
  },
  // The key gets the parsed input: a defaulted field is filled in.
  tail: {
    input: z.object({ file: z.string(), from: z.number().default(0) }),
    output: z.object({ count: z.number() }),
    stream: z.string(),
    key: (input) => {
      expectTypeOf(input).toEqualTypeOf<{ file: string; from: number }>()
      return input.file
    },
  },
  plain: { input: z.object({ n: z.number() }), output: z.number() },
})
type Commands = typeof commands

describe('defineCommands types each key by its own command’s input', () => {
  it('types the key’s parameter by the parsed input, with no annotation', () => {
    expect(commands.save.key?.({ user: 'ann', doc: 'x' })).toBe('ann')
    expect(commands.tail.key?.({ file: 'a.log', from: 0 })).toBe('a.log')
  })

  it('makes a field the input lacks, a key of the wrong type and a wrong annotation compile errors', () => {
    const typecheckOnly = (): void => {
      defineCommands({
        // @ts-expect-error: the input has no `nope`
        a: { input: z.object({ user: z.string() }), output: z.null(), key: (input) => input.nope },
      })
      defineCommands({
        // @ts-expect-error: a key is a string
        b: { input: z.object({ n: z.number() }), output: z.null(), key: (input) => input.n },
      })
      defineCommands({
        // @ts-expect-error: the annotation does not match the input
        c: { input: z.object({ n: z.number() }), output: z.null(), key: (input: { m: string }) => input.m },
      })
    }
    expectTypeOf(typecheckOnly).toBeFunction()
  })

  it('keeps every other type of the definitions exact, for call, stream and the handlers', () => {
    expectTypeOf<Commands>().toExtend<CommandDefinitions>()
    expectTypeOf(commands.save.output).toEqualTypeOf<z.ZodObject<{ ok: z.ZodBoolean }>>()
    expectTypeOf<CommandChunk<Commands, 'tail'>>().toEqualTypeOf<string>()
    type Launcher = HostpipeLauncher<Commands>
    expectTypeOf<Parameters<Launcher['call']>[0]>().toEqualTypeOf<'save' | 'plain'>()
    expectTypeOf<Parameters<Launcher['stream']>[0]>().toEqualTypeOf<'tail'>()
    const stream = undefined as unknown as Launcher['stream']
    expectTypeOf(stream<'tail'>)
      .parameter(1)
      .toEqualTypeOf<{ file: string; from?: number | undefined }>()
    expectTypeOf<Parameters<CommandHandlersOf<Commands>['save']>[0]>().toEqualTypeOf<{
      user: string
      doc: string
    }>()
  })

  it('still takes an empty set and a set declared beforehand with annotated keys', () => {
    const none = defineCommands({})
    expect(Object.keys(none)).toEqual([])
    expectTypeOf<keyof typeof none>().toEqualTypeOf<never>()
    const declared = {
      save: {
        input: z.object({ user: z.string() }),
        output: z.null(),
        key: (input: { user: string }) => input.user,
      },
    }
    const fromVariable = defineCommands(declared)
    expect(fromVariable.save.key({ user: 'bo' })).toBe('bo')
  })
})
