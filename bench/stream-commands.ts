import { z } from 'zod'
import { defineCommands } from '../src/lib/index'

/**
 * The stream scenario's one app command, shared by the launcher (bench/stream.ts) and its host
 * entry (bench/stream-host.ts): `blobs` yields `n` chunks of `size` characters (n = 0: until
 * cancelled), as fast as the launcher's credit lets it.
 */
export const STREAM_COMMANDS = defineCommands({
  blobs: {
    input: z.object({ n: z.number().int().nonnegative(), size: z.number().int().positive() }),
    output: z.object({ count: z.number() }),
    stream: z.string(),
  },
})
