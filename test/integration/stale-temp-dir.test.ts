// A launcher killed with SIGKILL cannot remove its private directory (and the socket in it); the
// next launcher to start removes it, and only it. Real launchers (`out/main/headless.js`), each
// given the same TMPDIR so the test never touches the machine's own temp directory.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PRIVATE_DIR_NAME } from '../../src/main/ipc/stale-dir-sweeper'
import { startHeadless, type HeadlessLauncher } from '../support/headless-launcher'
import { waitFor } from '../support/ipc-wait'

let parent: string | undefined
const launchers: HeadlessLauncher[] = []

afterEach(async () => {
  for (const l of launchers.splice(0)) await l.stop()
  if (parent) rmSync(parent, { recursive: true, force: true })
  parent = undefined
})

// Launchers' private directories only: the host spawner's `hostpipe-out-*` directories exist for
// the few ms it takes to make a host's output FIFOs (in the background, ahead of the next spawn).
const privateDirs = (): string[] =>
  readdirSync(parent!)
    .filter((name) => PRIVATE_DIR_NAME.test(name))
    .sort()

async function start(): Promise<{ launcher: HeadlessLauncher; dir: string }> {
  const before = new Set(privateDirs())
  const launcher = await startHeadless([], { TMPDIR: parent! })
  launchers.push(launcher)
  const mine = privateDirs().filter((d) => !before.has(d))
  expect(mine).toHaveLength(1)
  return { launcher, dir: mine[0]! }
}

describe.skipIf(process.platform === 'win32')('leftovers of a killed launcher', () => {
  it('the next launcher removes a SIGKILLed launcher’s directory and socket, and no live one’s', async () => {
    parent = mkdtempSync(join(tmpdir(), 'hostpipe-stale-test-'))
    const killed = await start()
    expect(existsSync(join(parent, killed.dir, 'host.sock'))).toBe(true)
    const exited = new Promise((resolve) => killed.launcher.process.once('exit', resolve))
    killed.launcher.process.kill('SIGKILL')
    await exited
    // Nothing cleans up after SIGKILL: the directory and its socket stay.
    expect(existsSync(join(parent, killed.dir, 'host.sock'))).toBe(true)

    const live = await start()
    expect(privateDirs()).toEqual([live.dir])

    // A third launcher starting while the second runs leaves the second's directory alone.
    const third = await start()
    expect(privateDirs()).toEqual([live.dir, third.dir].sort())
    await third.launcher.stop()
    await live.launcher.stop()
    await waitFor(() => privateDirs().length === 0, 'clean shutdowns to remove their own directories')
  }, 60_000)
})
