// The launcher: starts a host, calls both commands, shows what a failure and an abort look like, stops.
import { fileURLToPath } from 'node:url'
import { SagaFailedError } from 'hostpipe'
import { createLauncher } from 'hostpipe/node'
import { commands } from './commands.js'

const launcher = createLauncher({ hostEntry: fileURLToPath(new URL('./host.js', import.meta.url)), commands })
await launcher.start()

const { sum } = await launcher.call('add', { a: 2, b: 3 })
const { text } = await launcher.call('shout', { text: 'hello' })
console.log(`add: ${sum}, shout: ${text}`)

try {
  await launcher.call('shout', { text: 'fail' })
} catch (err) {
  if (!(err instanceof SagaFailedError)) throw err
  console.log(`shout failed as expected: ${err.reason}`)
}

const aborted = await launcher
  .call('add', { a: 1, b: 1 }, { signal: AbortSignal.abort() })
  .catch((e: Error) => e)
console.log(`aborted call: ${aborted instanceof DOMException ? aborted.name : 'not aborted'}`)
console.log(`sagas completed: ${launcher.diagnostics().sagas.completed}`)

await launcher.stop()
