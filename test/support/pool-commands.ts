// The pool fixture's commands (test/fixtures/pool/commands.mjs) for the launcher side, typed
// (test/integration/fixture-definitions.test.ts checks that both sides agree).
import { z } from 'zod'
import { defineCommands } from '../../src/shared/define-commands'

const pid = z.object({ pid: z.number() })

export const poolCommands = defineCommands({
  spin: { input: z.object({ ms: z.number().int().nonnegative() }), output: pid },
  sleep: { input: z.object({ ms: z.number().int().nonnegative() }), output: pid },
  touch: {
    input: z.object({ user: z.string(), ms: z.number().int().nonnegative() }),
    output: pid,
    key: (input) => input.user,
  },
})
