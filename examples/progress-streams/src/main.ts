// The launcher: a progress bar, a streamed result, an event listener, an early break.
import { fileURLToPath } from 'node:url'
import { createLauncher } from 'hostpipe/node'
import { commands, events } from './definitions.js'

const launcher = createLauncher({
  hostEntry: fileURLToPath(new URL('./host.js', import.meta.url)),
  commands,
  events,
})
// Events the host emits before a call returns arrive before that call settles.
launcher.on('cache.warm', ({ entries }) => {
  if (entries > 0) console.log(`event cache.warm: ${entries} entries`)
})
await launcher.start()

// A progress bar: values arrive in order, all before the call settles.
let last = 0
const { indexed } = await launcher.call(
  'index',
  { files: 40 },
  {
    onProgress: ({ done, total }) => {
      last = done
      const width = 20
      const filled = Math.round((done / total) * width)
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`)
    },
  },
)
process.stderr.write('\n')
console.log(`indexed: ${indexed}, last progress: ${last}`)

// A streamed result: chunks as the host yields them, paced by the launcher's credit; its progress
// values, like a call's, all arrive before `result` settles.
let sent = 0
const stream = launcher.stream('lines', { count: 100 }, { onProgress: (p) => (sent = p.sent) })
let received = 0
for await (const line of stream) if (line.startsWith('line ')) received++
const { total } = await stream.result
console.log(`streamed: ${received} lines, result total ${total}`)
console.log(`stream progress: ${sent} sent`)

// Leaving the loop early cancels the stream: the handler's signal fires, `result` rejects.
const endless = launcher.stream('lines', { count: 1_000_000 })
for await (const line of endless) if (line === 'line 3') break
const reason = await endless.result.catch((e: Error) => e.name)
console.log(`early break: ${reason}`)

await launcher.stop()
