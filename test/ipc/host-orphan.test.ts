import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { HOST_SCRIPT, startTestLauncher, type TestLauncher } from '../support/ipc-launcher-harness'
import { waitFor } from '../support/ipc-wait'

/** Running, as opposed to gone or a zombie waiting for whoever adopted it to reap it. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    // Fields after the parenthesised command name; the first is the state.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return !existsSync('/proc/self/stat')
  }
}

/** A stand-in launcher process: forks the host (IPC channel and all) and then just lives. */
const MIDDLE_SCRIPT = `
  const { fork } = require('node:child_process')
  fork(process.env.HOST_SCRIPT, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
  setInterval(() => {}, 60_000)
`

describe('no orphan hosts', () => {
  let launcher: TestLauncher | undefined
  afterEach(async () => {
    await launcher?.dispose()
    launcher = undefined
  })

  it('a host exits when the process that started it dies, even though its socket stays open', async () => {
    launcher = await startTestLauncher({ transport: 'pipe' })
    const middle = spawn(process.execPath, ['-e', MIDDLE_SCRIPT], {
      env: {
        ...process.env,
        HOST_SCRIPT,
        HOSTPIPE_PIPE: launcher.socketServer!.path,
        HOSTPIPE_TOKEN: launcher.token,
      },
      stdio: 'ignore',
    })
    try {
      await waitFor(() => launcher!.registered.length === 1, 'the grandchild host to register')
      const hostPid = launcher.registered[0]!.pid
      expect(isRunning(hostPid)).toBe(true)
      middle.kill('SIGKILL')
      await waitFor(() => launcher!.gone.length === 1, 'the launcher to see the host gone')
      await waitFor(() => !isRunning(hostPid), `host ${hostPid} to exit after its parent died`)
    } finally {
      middle.kill('SIGKILL')
    }
  })
})
