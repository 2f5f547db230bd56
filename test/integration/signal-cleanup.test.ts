// SIGTERM or SIGINT to an embedding program (test/fixtures/lifecycle/signalled.mjs, on the built
// `hostpipe/node`): the launcher's socket directory goes, and the signal does what it would have
// done without hostpipe.
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { leftoversOf, startProgram } from '../support/embedding-program'
import { waitFor } from '../support/ipc-wait'

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../../dist/node.js', import.meta.url))))
    throw new Error('dist/node.js is missing: build the library first with `npm run build:lib`')
})

/** Starts the program, waits for its launcher to be up, signals it; resolves with how it ended. */
async function signalled(signal: NodeJS.Signals, own: boolean) {
  const { child, ended } = startProgram('lifecycle/signalled.mjs', own ? [signal, 'own'] : [signal])
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  await Promise.race([
    waitFor(() => out.includes('socketPath'), 'the launcher to start'),
    once(child, 'exit').then(() => {
      throw new Error('the program exited before its launcher started')
    }),
  ])
  child.kill(signal)
  return ended
}

describe.each(['SIGTERM', 'SIGINT'] as const)('%s to an embedding program', (signal) => {
  it('removes the socket directory and ends the program by the signal when the app has no listener', async () => {
    const run = await signalled(signal, false)
    expect(run.signal).toBe(signal)
    const { socketPath } = run.facts[0] as { socketPath: string }
    expect(leftoversOf(socketPath).isDirLeft).toBe(false)
    // Its host sees the launcher's end of the socket close and exits.
    await waitFor(() => leftoversOf(socketPath).hosts.length === 0, 'the host to exit')
  })

  it('removes the socket directory before the app listener runs and leaves the rest to the app', async () => {
    const run = await signalled(signal, true)
    expect(run.signal).toBeNull()
    expect(run.code).toBe(0)
    const { socketPath } = run.facts[0] as { socketPath: string }
    expect(run.facts[1]).toEqual({ dirExistedInAppListener: false })
    expect(leftoversOf(socketPath)).toEqual({ isDirLeft: false, hosts: [] })
  })
})
