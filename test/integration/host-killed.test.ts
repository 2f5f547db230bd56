// A host killed by a signal from outside (SIGKILL, as the OOM killer sends) while a call runs:
// real host processes, whose entry file uses the built `hostpipe/host` (dist/).
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { defineCommands, SagaFailedError } from '../../src/lib/index'
import type { HostpipeLauncher } from '../../src/lib/node'
import { embedCommands } from '../support/embed-commands'
import { fixturePath, launcherFixture } from '../support/launcher-fixture'

const hostEntry = fixturePath('embed/host.mjs')
// The same host with `wait` as a command that may run twice: lost with its host, it goes again.
const retried = defineCommands({ ...embedCommands, wait: { ...embedCommands.wait, retry: true } })
type AnyLauncher = HostpipeLauncher<typeof embedCommands> | HostpipeLauncher<typeof retried>

const start = launcherFixture({ hostEntry, commands: embedCommands, standby: 0 })
const startRetried = launcherFixture({ hostEntry, commands: retried, standby: 0 })

/** The pid of the host serving now, once it is not `previous`. */
async function servingHost(l: AnyLauncher, previous?: number): Promise<number> {
  for (;;) {
    const pid = l.diagnostics().hostPid
    if (typeof pid === 'number' && pid !== previous && l.diagnostics().state === 'connected') return pid
    await sleep(20)
  }
}

async function reasonOf(call: Promise<unknown>): Promise<string> {
  const err = await call.catch((e: unknown) => e)
  expect(err).toBeInstanceOf(SagaFailedError)
  return (err as SagaFailedError).reason
}

describe('a host killed by a signal mid-call', () => {
  it('fails the call with the words that it may have run, then the signal', async () => {
    const l = await start()
    const pid = await servingHost(l)
    const call = l.call('wait', { ms: 10_000 }, { timeoutMs: 20_000 })
    await sleep(200)
    process.kill(pid, 'SIGKILL')
    expect(await reasonOf(call)).toBe('host disconnected before ack (killed by SIGKILL)')
  })

  it('names the signal after the attempts when a retried call lost every host it reached', async () => {
    const l = await startRetried()
    const first = await servingHost(l)
    const call = l.call('wait', { ms: 10_000 }, { timeoutMs: 20_000 })
    await sleep(200)
    process.kill(first, 'SIGKILL')
    const second = await servingHost(l, first)
    await sleep(300)
    process.kill(second, 'SIGKILL')
    expect(await reasonOf(call)).toBe('host lost while executing (2 attempts) (killed by SIGKILL)')
  })
})
