// The launcher's side of test/fixtures/embed/commands.mjs (the host's side, which uses the built
// package): the same definitions, from the source, for the tests that run the embed fixture host
// (test/integration/fixture-definitions.test.ts checks that both sides agree).
import { z } from 'zod'
import { defineCommands } from '../../src/lib/index'

export const embedCommands = defineCommands({
  add: {
    input: z.object({ a: z.number(), b: z.number() }),
    output: z.object({ sum: z.number() }),
    retry: true,
  },
  fail: { input: z.object({ message: z.string() }), output: z.object({}) },
  wait: { input: z.object({ ms: z.number().int().nonnegative() }), output: z.object({ waited: z.number() }) },
  badOutput: { input: z.object({}), output: z.object({ n: z.number() }) },
  exit: { input: z.object({ code: z.number().int() }), output: z.object({}) },
})
