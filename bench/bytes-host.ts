/** The bytes scenario's host entry (bench entry, bundled to out/bench/bytes-host.mjs). */
import { runHost } from '../src/lib/host'
import { BYTES_COMMANDS } from './bytes-commands'

void runHost({
  commands: BYTES_COMMANDS,
  handlers: {
    echo: ({ data }) => ({ data }),
    add: ({ a, b }) => ({ sum: a + b }),
  },
})
