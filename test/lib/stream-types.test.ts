// Type-level tests: this file is typechecked (`npm run typecheck`), so each `@ts-expect-error`
// fails the build when the line under it stops being a compile error.
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import {
  defineCommands,
  defineEvents,
  type CallCommandNameOf,
  type CommandChunk,
  type CommandProgress,
  type EventNameOf,
  type EventPayload,
  type StreamCommandNameOf,
} from '../../src/lib/index'
import type { CommandContext, CommandHandlersOf, RunningHost, runHost } from '../../src/lib/host'
import type { HostpipeLauncher, HostpipeStream } from '../../src/lib/node'

const commands = defineCommands({
  job: {
    input: z.object({ steps: z.number() }),
    output: z.object({ ok: z.boolean() }),
    progress: z.object({ done: z.number() }),
  },
  lines: { input: z.object({ n: z.number() }), output: z.object({ count: z.number() }), stream: z.string() },
  plain: { input: z.object({}), output: z.number() },
})
const events = defineEvents({ 'file.changed': z.object({ path: z.string() }), tick: z.number() })
type Commands = typeof commands
type Events = typeof events

describe('progress, streams and events are typed from the definitions', () => {
  it('types progress values, chunks and which commands are streams', () => {
    expectTypeOf(commands.lines.stream).toEqualTypeOf<z.ZodString>()
    expectTypeOf(events.tick).toEqualTypeOf<z.ZodNumber>()
    expectTypeOf<CommandProgress<Commands, 'job'>>().toEqualTypeOf<{ done: number }>()
    expectTypeOf<CommandProgress<Commands, 'plain'>>().toEqualTypeOf<never>()
    expectTypeOf<CommandChunk<Commands, 'lines'>>().toEqualTypeOf<string>()
    expectTypeOf<CommandChunk<Commands, 'job'>>().toEqualTypeOf<never>()
    expectTypeOf<StreamCommandNameOf<Commands>>().toEqualTypeOf<'lines'>()
    expectTypeOf<CallCommandNameOf<Commands>>().toEqualTypeOf<'job' | 'plain'>()
    expectTypeOf<EventNameOf<Events>>().toEqualTypeOf<'file.changed' | 'tick'>()
    expectTypeOf<EventPayload<Events, 'file.changed'>>().toEqualTypeOf<{ path: string }>()
  })

  it('types ctx.progress by the command’s progress schema, and ctx.emit by the events', () => {
    type JobContext = Parameters<CommandHandlersOf<Commands, Events>['job']>[1]
    expectTypeOf<JobContext>().toEqualTypeOf<CommandContext<{ done: number }, Events>>()
    const typecheckOnly = (
      ctx: JobContext,
      plain: Parameters<CommandHandlersOf<Commands, Events>['plain']>[1],
    ) => {
      ctx.progress({ done: 1 })
      // @ts-expect-error: `done` must be a number
      ctx.progress({ done: '1' })
      // @ts-expect-error: `plain` has no progress schema
      plain.progress(1)
      ctx.emit('file.changed', { path: '/a' })
      ctx.emit('tick', 3)
      // @ts-expect-error: `path` must be a string
      ctx.emit('file.changed', { path: 1 })
      // @ts-expect-error: no event of that name
      ctx.emit('nope', {})
    }
    expectTypeOf(typecheckOnly).toBeFunction()
  })

  it('requires a stream handler to be an async generator yielding chunks and returning the output', () => {
    const good: CommandHandlersOf<Commands, Events> = {
      job: () => ({ ok: true }),
      plain: () => 1,
      lines: async function* ({ n }) {
        for (let i = 0; i < n; i++) yield `line ${i}`
        return { count: n }
      },
    }
    const wrongChunk: CommandHandlersOf<Commands, Events> = {
      job: () => ({ ok: true }),
      plain: () => 1,
      // @ts-expect-error: chunks are strings
      lines: async function* () {
        yield 1
        return { count: 1 }
      },
    }
    const wrongOutput: CommandHandlersOf<Commands, Events> = {
      job: () => ({ ok: true }),
      plain: () => 1,
      // @ts-expect-error: the output is { count: number }
      lines: async function* () {
        yield 'a'
        return { total: 1 }
      },
    }
    const notAGenerator: CommandHandlersOf<Commands, Events> = {
      job: () => ({ ok: true }),
      plain: () => 1,
      // @ts-expect-error: a stream handler is an async generator function
      lines: async () => ({ count: 0 }),
    }
    expectTypeOf([good, wrongChunk, wrongOutput, notAGenerator]).toBeArray()
  })

  it('types the running host’s emit by the events', () => {
    expectTypeOf<Awaited<ReturnType<typeof runHost<Commands, Events>>>>().toEqualTypeOf<RunningHost<Events>>()
    const typecheckOnly = (host: RunningHost<Events>, bare: RunningHost) => {
      host.emit('tick', 1)
      // @ts-expect-error: a tick is a number
      host.emit('tick', 'one')
      // @ts-expect-error: a host given no events emits none
      bare.emit('tick', 1)
    }
    expectTypeOf(typecheckOnly).toBeFunction()
  })

  it('types the launcher’s call, stream and on: call takes no stream command, stream only those', () => {
    const typecheckOnly = async (l: HostpipeLauncher<Commands, Events>, bare: HostpipeLauncher<Commands>) => {
      await l.call(
        'job',
        { steps: 1 },
        { onProgress: (p) => expectTypeOf(p).toEqualTypeOf<{ done: number }>() },
      )
      // @ts-expect-error: `lines` is a stream command: use stream
      await l.call('lines', { n: 1 })
      const lines = l.stream('lines', { n: 2 })
      expectTypeOf(lines).toEqualTypeOf<HostpipeStream<string, { count: number }>>()
      for await (const line of lines) expectTypeOf(line).toEqualTypeOf<string>()
      expectTypeOf(lines.result).toEqualTypeOf<Promise<{ count: number }>>()
      // @ts-expect-error: `plain` is not a stream command: use call
      l.stream('plain', {})
      // @ts-expect-error: `n` must be a number
      l.stream('lines', { n: '2' })
      l.on('file.changed', ({ path }, { hostPid, slot }) => {
        expectTypeOf(path).toEqualTypeOf<string>()
        expectTypeOf(hostPid + slot).toEqualTypeOf<number>()
      })
      // @ts-expect-error: a tick is a number
      l.on('tick', (n: string) => n)
      // @ts-expect-error: no event of that name
      l.on('nope', () => undefined)
      // @ts-expect-error: a launcher given no events has none to listen to
      bare.on('tick', () => undefined)
    }
    expectTypeOf(typecheckOnly).toBeFunction()
  })

  it('types a stream’s onProgress by the command’s progress schema', () => {
    const scanning = defineCommands({
      scan: {
        input: z.object({ n: z.number() }),
        output: z.object({ count: z.number() }),
        stream: z.number(),
        progress: z.object({ done: z.number() }),
      },
    })
    const typecheckOnly = (l: HostpipeLauncher<typeof scanning>, plain: HostpipeLauncher<Commands>) => {
      l.stream('scan', { n: 1 }, { onProgress: (p) => expectTypeOf(p).toEqualTypeOf<{ done: number }>() })
      // @ts-expect-error: `done` is a number
      l.stream('scan', { n: 1 }, { onProgress: (p: { done: string }) => p })
      // A stream command without `progress` gets no values: its listener's parameter is `never`.
      plain.stream('lines', { n: 1 }, { onProgress: (p) => expectTypeOf(p).toEqualTypeOf<never>() })
    }
    expectTypeOf(scanning.scan.progress).toEqualTypeOf<z.ZodObject<{ done: z.ZodNumber }>>()
    expectTypeOf(typecheckOnly).toBeFunction()
  })
})
