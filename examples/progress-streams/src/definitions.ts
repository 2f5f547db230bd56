// The commands and events, imported by both sides.
import { z } from 'zod'
import { defineCommands, defineEvents } from 'hostpipe'

export const commands = defineCommands({
  // A long job that reports how far it got.
  index: {
    input: z.object({ files: z.number().int().positive() }),
    output: z.object({ indexed: z.number() }),
    progress: z.object({ done: z.number(), total: z.number() }),
  },
  // A streamed result: one line at a time, then a summary; progress every ten lines.
  lines: {
    input: z.object({ count: z.number().int().nonnegative() }),
    output: z.object({ total: z.number() }),
    stream: z.string(),
    progress: z.object({ sent: z.number() }),
  },
})

export const events = defineEvents({
  'cache.warm': z.object({ entries: z.number() }),
})
