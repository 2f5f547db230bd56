import { z } from 'zod'
import { defineCommands } from '../src/lib/index'

/**
 * The bytes scenario's commands, shared by the launcher (bench/bytes.ts) and its host entry
 * (bench/bytes-host.ts): `echo` returns its bytes, `add` is the small call.
 */
export const BYTES_COMMANDS = defineCommands({
  echo: {
    input: z.object({ data: z.instanceof(Uint8Array) }),
    output: z.object({ data: z.instanceof(Uint8Array) }),
  },
  add: { input: z.object({ a: z.number(), b: z.number() }), output: z.object({ sum: z.number() }) },
})
