// start() with a host entry that cannot start: real child processes, each ending in a HostStartError.
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { defineCommands, HostStartError } from '../../src/lib/index'
import { createLauncher, type HostpipeLauncher } from '../../src/lib/node'

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/start-failures/${name}`, import.meta.url))
const commands = defineCommands({})
let launcher: HostpipeLauncher<typeof commands> | undefined

afterEach(async () => {
  await launcher?.stop()
  launcher = undefined
})

async function startError(hostEntry: string, startTimeoutMs = 10_000): Promise<HostStartError> {
  launcher = createLauncher({ hostEntry, commands, standby: 0, startTimeoutMs })
  const error: unknown = await launcher.start().then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HostStartError)
  return error as HostStartError
}

describe('start() with a host that cannot start', () => {
  it('rejects with ENTRY_NOT_FOUND naming the missing file once, after one attempt, not after retries', async () => {
    const errors: string[] = []
    const log = { debug() {}, info() {}, warn() {}, error: (m: string) => errors.push(m) }
    launcher = createLauncher({ hostEntry: fixture('no-such-host.mjs'), commands, standby: 0, log })
    const e: unknown = await launcher.start().then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(e).toBeInstanceOf(HostStartError)
    expect((e as HostStartError).code).toBe('ENTRY_NOT_FOUND')
    expect((e as HostStartError).message.split('no-such-host.mjs')).toHaveLength(2)
    expect(errors.filter((m) => m.includes('spawning the host failed'))).toHaveLength(1)
  })

  it('rejects with EXITED naming the entry, the exit code and the SyntaxError line', async () => {
    const e = await startError(fixture('syntax-error.mjs'))
    expect(e.code).toBe('EXITED')
    expect(e.message).toContain('syntax-error.mjs')
    expect(e.exitCode).toBe(1)
    expect(e.stderrTail.join('\n')).toContain('SyntaxError')
  })

  it('rejects with the error a host throws at import in its stderr tail', async () => {
    const e = await startError(fixture('throws-at-import.mjs'))
    expect(e.code).toBe('EXITED')
    expect(e.message).toContain('no DATABASE_URL')
  })

  it('rejects with EXITED when the host entry starts a launcher instead of calling runHost, saying so', async () => {
    const e = await startError(fixture('starts-a-launcher.mjs'))
    expect(e.code).toBe('EXITED')
    expect(e.exitCode).toBe(1)
    expect(e.stderrTail.join('\n')).toContain('a host entry must call runHost, not start a launcher')
  })

  it('says that Node cannot run a .ts entry', async () => {
    const e = await startError(fixture('host.ts'))
    expect(e.message).toContain('host.ts')
    expect(e.message).toMatch(/Node cannot run a TypeScript entry/)
  })

  it('rejects with START_TIMEOUT within startTimeoutMs when the host never registers', async () => {
    const began = Date.now()
    const e = await startError(fixture('never-registers.mjs'), 1_500)
    expect(e.code).toBe('START_TIMEOUT')
    expect(e.message).toContain('never-registers.mjs')
    expect(Date.now() - began).toBeLessThan(5_000)
  })
})
