import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makePrivateDir } from '../../src/main/ipc/pipe-path'
import {
  currentOwner,
  isOwnerGone,
  OWNER_FILE_NAME,
  recordOwner,
  sweepStaleDirs,
  type DirOwner,
} from '../../src/main/ipc/stale-dir-sweeper'

const hasProc = existsSync('/proc/self/stat')
let parent: string

beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'hostpipe-sweep-test-'))
})
afterEach(() => {
  rmSync(parent, { recursive: true, force: true })
})

/** A real process that has exited, as it was recorded while it ran. */
async function deadOwner(): Promise<DirOwner> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
  await new Promise((resolve) => child.once('spawn', resolve))
  const owner = currentOwner(child.pid!)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
  return owner
}

function dirOwnedBy(name: string, owner: DirOwner | string | undefined): string {
  const dir = join(parent, name)
  mkdirSync(dir, { mode: 0o700 })
  writeFileSync(join(dir, 'host.sock'), '')
  if (owner !== undefined)
    writeFileSync(join(dir, OWNER_FILE_NAME), typeof owner === 'string' ? owner : JSON.stringify(owner))
  return dir
}

describe('sweeping the private directories of killed launchers', () => {
  it('records the owning launcher in every private directory it makes', async () => {
    const dir = await makePrivateDir(parent)
    await expect(sweepStaleDirs(parent)).resolves.toEqual([])
    expect(existsSync(join(dir, OWNER_FILE_NAME))).toBe(true)
  })

  it('removes a directory whose recorded launcher is dead, socket and all', async () => {
    const dir = dirOwnedBy('hostpipe-AbC123', await deadOwner())
    expect(await sweepStaleDirs(parent)).toEqual([dir])
    expect(existsSync(dir)).toBe(false)
  })

  it('keeps the directory of a launcher that is alive, this one included', async () => {
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
    try {
      await new Promise((resolve) => live.once('spawn', resolve))
      const other = dirOwnedBy('hostpipe-live01', currentOwner(live.pid!))
      const mine = dirOwnedBy('hostpipe-mine01', currentOwner())
      expect(await sweepStaleDirs(parent)).toEqual([])
      expect(existsSync(other) && existsSync(mine)).toBe(true)
    } finally {
      live.kill('SIGKILL')
    }
  })

  it.skipIf(!hasProc)(
    'removes a directory whose pid now belongs to a process started at another time',
    async () => {
      // The pid is alive (the test runner's parent), but it is not the process that was recorded.
      const reused: DirOwner = { ...currentOwner(process.ppid), start: '1' }
      expect(isOwnerGone(reused)).toBe(true)
      expect(isOwnerGone(currentOwner(process.ppid))).toBe(false)
      const dir = dirOwnedBy('hostpipe-reuse1', reused)
      expect(await sweepStaleDirs(parent)).toEqual([dir])
    },
  )

  it('removes a directory recorded during another boot', async () => {
    const dir = dirOwnedBy('hostpipe-boot01', { pid: process.ppid, start: null, boot: 'another-boot' })
    const removed = await sweepStaleDirs(parent)
    expect(removed).toEqual(currentOwner().boot === null ? [] : [dir])
  })

  it('leaves alone what it cannot prove stale: no record, a bad record, other names, symlinks, other users', async () => {
    const dead = await deadOwner()
    const kept = [
      dirOwnedBy('hostpipe-norec1', undefined),
      dirOwnedBy('hostpipe-bad001', 'not json'),
      dirOwnedBy('hostpipe-bad002', JSON.stringify({ pid: -1, start: null, boot: null })),
      dirOwnedBy('hostpipe-toolong', dead),
      dirOwnedBy('other-AbC123', dead),
    ]
    const target = dirOwnedBy('elsewhere', dead)
    symlinkSync(target, join(parent, 'hostpipe-link01'))
    // Another user's directory: the same sweep as a user who does not own these.
    const foreign = dirOwnedBy('hostpipe-foreig', dead)
    expect(await sweepStaleDirs(parent, { uid: (process.getuid?.() ?? 0) + 1 })).toEqual([])
    expect(await sweepStaleDirs(parent)).toEqual([foreign])
    for (const dir of [...kept, target]) expect(existsSync(dir), dir).toBe(true)
  })

  it('resolves to nothing when the parent cannot be read', async () => {
    await expect(sweepStaleDirs(join(parent, 'missing'))).resolves.toEqual([])
  })

  it('writes the record whole, never half', async () => {
    const dir = join(parent, 'hostpipe-whole1')
    mkdirSync(dir)
    await recordOwner(dir, { pid: 42, start: '7', boot: 'b' })
    expect(existsSync(join(dir, `${OWNER_FILE_NAME}.tmp`))).toBe(false)
    expect(JSON.parse(readFileSync(join(dir, OWNER_FILE_NAME), 'utf8'))).toEqual({
      pid: 42,
      start: '7',
      boot: 'b',
    })
  })
})
