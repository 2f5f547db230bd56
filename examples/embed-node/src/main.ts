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

// Aborting a running call rejects at once; the host then stops the handler, and the saga's
// saga_failed event tells what really happened.
const failed = new Promise<string>((resolve) => {
  const off = launcher.onEvent((e) => {
    if (e.event === 'saga_failed') {
      off()
      resolve(e.reason)
    }
  })
})
const stop = new AbortController()
const napping = launcher.call('nap', { ms: 10_000 }, { signal: stop.signal }).catch((e: Error) => e)
let abortedAt = 0
setTimeout(() => {
  abortedAt = Date.now()
  stop.abort()
}, 100)
const napped = await napping
console.log(`aborted nap: ${napped instanceof DOMException ? napped.name : 'not aborted'}`)
console.log(`rejected within 1 s of the abort: ${Date.now() - abortedAt < 1_000}`)
console.log(`the nap saga then failed: ${await failed}`)

// A host SIGKILL: another host takes over, and calls go on.
process.kill(launcher.diagnostics().hostPid!, 'SIGKILL')
const after = await launcher.call('add', { a: 20, b: 22 }, { timeoutMs: 10_000 })
console.log(`after a host SIGKILL: ${after.sum}`)
console.log(`sagas completed: ${launcher.diagnostics().sagas.completed}`)

await launcher.stop()
