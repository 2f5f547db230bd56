import { z } from 'zod'
import { defineCommands } from '../src/lib/index'

/**
 * The call scenario's one app command, defined once through the public API and shared by the
 * launcher (bench/call-sides.ts) and its host entry (bench/call-host.ts), as an embedding app
 * shares its commands: both ends validate `add`'s input and output with these zod schemas.
 */
export const CALL_COMMANDS = defineCommands({
  add: {
    input: z.object({ a: z.number(), b: z.number() }),
    output: z.object({ sum: z.number() }),
  },
  // The pool scenario's CPU-bound command: a fixed amount of work (`rounds` of `work`).
  spin: {
    input: z.object({ rounds: z.number().int().positive() }),
    output: z.object({ checksum: z.number() }),
  },
})
