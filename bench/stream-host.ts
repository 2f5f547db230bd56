/**
 * The stream scenario's host entry (bench entry, bundled to out/bench/stream-host.mjs): `blobs`
 * as an async generator, one string reused for every chunk so the host's own allocation stays out
 * of the measure.
 */
import { runHost } from '../src/lib/host'
import { STREAM_COMMANDS } from './stream-commands'

void runHost({
  commands: STREAM_COMMANDS,
  handlers: {
    blobs: async function* ({ n, size }) {
      const blob = 'x'.repeat(size)
      let count = 0
      for (; n === 0 || count < n; count++) yield blob
      return { count }
    },
  },
})
