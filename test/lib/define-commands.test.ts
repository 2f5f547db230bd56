import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommands, RESERVED_COMMAND_NAMES } from '../../src/lib/index'

const io = { input: z.object({ a: z.number() }), output: z.object({ b: z.number() }) }

describe('defineCommands', () => {
  it('returns the definitions frozen, with the retry flag carried as given', () => {
    const commands = defineCommands({ add: { ...io, retry: true }, get: io })
    expect(Object.isFrozen(commands)).toBe(true)
    expect(commands.add.retry).toBe(true)
    expect('retry' in commands.get).toBe(false)
  })

  it.each([
    'register',
    'ack',
    'cancel_saga',
    'spawn_pool_window',
    'report_result',
    'probe_ui_thread',
    'saga_failed',
    'report_progress',
    'report_chunk',
    'report_event',
    'stream_credit',
  ])('refuses the protocol name %s', (name) => {
    expect(RESERVED_COMMAND_NAMES.has(name)).toBe(true)
    expect(() => defineCommands({ [name]: io })).toThrow(`command \`${name}\`: the name is reserved`)
  })

  it.each(['kind', 'seq', 'cmd', 'saga_id', 'deadline'])('refuses an input field named %s', (field) => {
    expect(() =>
      defineCommands({ x: { input: z.object({ [field]: z.number() }), output: z.object({}) } }),
    ).toThrow(`command \`x\`: input field \`${field}\` is reserved`)
  })

  it('refuses an input that is not an object schema, and an output that is not a schema', () => {
    expect(() => defineCommands({ x: { input: z.number() as never, output: z.object({}) } })).toThrow(
      'command `x`: `input` must be a zod object schema',
    )
    expect(() => defineCommands({ x: { input: z.object({}), output: { parse: () => 1 } as never } })).toThrow(
      'command `x`: `output` must be a zod schema',
    )
  })

  it('refuses names that are not plain identifiers and a retry flag that is not a boolean', () => {
    expect(() => defineCommands({ '': io })).toThrow('command ``: a name must match')
    expect(() => defineCommands({ 'has space': io })).toThrow('a name must match')
    expect(() => defineCommands({ x: { ...io, retry: 'yes' as never } })).toThrow('`retry` must be a boolean')
  })

  it('keeps a progress schema and a stream schema, and refuses either when it is not a schema', () => {
    const commands = defineCommands({
      job: { ...io, progress: z.number() },
      lines: { ...io, stream: z.string() },
    })
    expect(commands.job.progress?.parse(3)).toBe(3)
    expect(commands.lines.stream?.parse('a')).toBe('a')
    expect(() => defineCommands({ x: { ...io, progress: { parse: () => 1 } as never } })).toThrow(
      'command `x`: `progress` must be a zod schema when given',
    )
    expect(() => defineCommands({ x: { ...io, stream: 'string' as never } })).toThrow(
      'command `x`: `stream` must be a zod schema when given',
    )
  })
})
