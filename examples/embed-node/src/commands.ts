// The app's commands, shared by the launcher (main.ts) and the host (host.ts).
import { z } from 'zod'
import { defineCommands } from 'hostpipe'

export const commands = defineCommands({
  add: {
    input: z.object({ a: z.number(), b: z.number() }),
    output: z.object({ sum: z.number() }),
    retry: true,
  },
  shout: { input: z.object({ text: z.string().min(1) }), output: z.object({ text: z.string() }) },
  // Waits `ms` unless its saga is cancelled or its deadline passes first (ctx.signal).
  nap: { input: z.object({ ms: z.number().int().min(0) }), output: z.object({ slept: z.number() }) },
})
