import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CLEANUP_SIGNALS, hasExitCleanup, removeDirOnExit } from '../../src/main/ipc/exit-cleanup'

const listenerCounts = (): number[] => [
  process.listenerCount('exit'),
  ...CLEANUP_SIGNALS.map((s) => process.listenerCount(s)),
]

describe('exit cleanup', () => {
  it('installs one set of process listeners for every live directory and removes it with the last', () => {
    const before = listenerCounts()
    const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'exit-cleanup-')))
    const registrations = dirs.map((dir) => removeDirOnExit(dir))
    expect(hasExitCleanup()).toBe(true)
    expect(listenerCounts()).toEqual(before.map((n) => n + 1))
    registrations[0]!.dispose()
    registrations[1]!.dispose()
    expect(hasExitCleanup()).toBe(true)
    registrations[2]!.dispose()
    expect(hasExitCleanup()).toBe(false)
    expect(listenerCounts()).toEqual(before)
  })
})
