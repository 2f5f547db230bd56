// The spawn options (docs/launcher.md#debugging-a-host) with real processes: execArgv, env and cwd
// reach the host; a host started with --inspect=0 registers and is never judged unresponsive.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createLauncher, type AppLauncherOptions, type HostpipeLauncher } from '../../src/lib/node'
import { busyCommands } from '../fixtures/busy/commands'
import { buildBusyHost, linesLogger } from '../support/busy-host'
import { waitFor } from '../support/ipc-wait'

let hostEntry = ''
let workDir = ''
let launcher: HostpipeLauncher<typeof busyCommands> | undefined
let stopped: number | undefined
const logLines: string[] = []
const log = linesLogger(logLines)

beforeAll(async () => {
  hostEntry = await buildBusyHost('spawn-options-host')
  workDir = realpathSync(mkdtempSync(join(tmpdir(), 'hostpipe-cwd-')))
})

afterAll(() => rmSync(workDir, { recursive: true, force: true }))

afterEach(async () => {
  if (stopped !== undefined) process.kill(stopped, 'SIGCONT')
  stopped = undefined
  await launcher?.stop()
  launcher = undefined
  logLines.length = 0
})

type Options = Omit<AppLauncherOptions<typeof busyCommands>, 'hostEntry' | 'commands'>

async function start(options: Options): Promise<HostpipeLauncher<typeof busyCommands>> {
  launcher = createLauncher({ hostEntry, commands: busyCommands, log, ...options })
  await launcher.start()
  return launcher
}

describe('spawn options reach the host', () => {
  it.each(['pipe', 'port'] as const)(
    'gives the %s host its execArgv, cwd and env, the launcher keeping its own HOSTPIPE_* variables',
    async (transport) => {
      const l = await start({
        transport,
        execArgv: ['--max-old-space-size=100'],
        cwd: workDir,
        // A host given the app's HOSTPIPE_TOKEN could not register: that it answers shows the launcher's won.
        env: { HOSTPIPE_APP_MODE: 'spawn-test', HOSTPIPE_TOKEN: 'not-the-token' },
      })
      const out = await l.call('startedWith', { variable: 'HOSTPIPE_APP_MODE' })
      expect(out).toEqual({
        pid: l.diagnostics().hostPid,
        execArgv: ['--max-old-space-size=100'],
        cwd: workDir,
        value: 'spawn-test',
      })
      expect((await l.call('startedWith', { variable: 'PATH' })).value).toBe(process.env.PATH)
    },
  )

  it('gives the standby the same options, so a promoted host runs as the first did', async () => {
    const l = await start({ execArgv: ['--max-old-space-size=100'], env: { APP_MODE: 'x' }, standby: 1 })
    const first = l.diagnostics().hostPid!
    await waitFor(() => l.diagnostics().standby === 1, 'a ready standby', 10_000, 10)
    process.kill(first, 'SIGKILL')
    await waitFor(
      () => l.diagnostics().hostPid !== first && l.diagnostics().state === 'connected',
      'the standby promoted',
      10_000,
      10,
    )
    const out = await l.call('startedWith', { variable: 'APP_MODE' })
    expect(out.pid).not.toBe(first)
    expect(out).toMatchObject({ execArgv: ['--max-old-space-size=100'], value: 'x' })
  })

  it('rejects start() with SPAWN_FAILED naming a cwd that is not a directory', async () => {
    const missing = join(workDir, 'missing')
    await expect(start({ cwd: missing, maxRestarts: 1, standby: 0 })).rejects.toMatchObject({
      code: 'SPAWN_FAILED',
      message: expect.stringContaining(`cwd is not a directory: ${missing}`) as string,
    })
  })
})

describe('debugging a host', () => {
  it('starts an --inspect=0 host, says once that its timeouts are off, and never kills it as unresponsive', async () => {
    const l = await start({ execArgv: ['--inspect=0'], unresponsiveMs: 1000, standby: 0 })
    const pid = l.diagnostics().hostPid!
    expect(logLines.filter((line) => line.includes('hosts run with --inspect=0'))).toHaveLength(1)
    expect((await l.call('startedWith', { variable: 'PATH' })).execArgv).toEqual(['--inspect=0'])
    // Stopped as if paused at a breakpoint, with a call outstanding past its deadline.
    process.kill(pid, 'SIGSTOP')
    stopped = pid
    const call = l.call('spin', { ms: 0 }, { timeoutMs: 500 }).catch((e: unknown) => e)
    expect(await call).toMatchObject({ name: 'TimeoutError' })
    await new Promise((r) => setTimeout(r, 2500))
    expect(l.diagnostics()).toMatchObject({ hostPid: pid, restarts: 0, state: 'connected' })
    expect(logLines.filter((line) => line.includes('unresponsive'))).toEqual([])
  })

  it('refuses a fixed inspector port with the default standby, naming both ways out', () => {
    expect(() => createLauncher({ hostEntry, commands: busyCommands, execArgv: ['--inspect=9229'] })).toThrow(
      /--inspect=9229.*port 9229.*use --inspect=0 .* or standby: 0/,
    )
  })
})
