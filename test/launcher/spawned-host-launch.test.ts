// A launcher started in a process a launcher spawned as its host: refused unless runHost was called.
import { afterEach, describe, expect, it } from 'vitest'
import { markRunHost, spawnedHostLaunchError } from '../../src/shared/host-process-mark'

const mark = Symbol.for('hostpipe.runHost')

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[mark]
})

describe('spawnedHostLaunchError', () => {
  it('lets a launcher start in a process no launcher spawned', () => {
    expect(spawnedHostLaunchError({})).toBeUndefined()
  })

  it('refuses a launcher in a spawned host that never called runHost, naming the likely mistake', () => {
    const error = spawnedHostLaunchError({ HOSTPIPE_TOKEN: 'secret' })
    expect(error?.message).toMatch(/a host entry must call runHost, not start a launcher/)
    expect(error?.message).toMatch(/is hostEntry the launcher's own file\?/)
    expect(error?.message).not.toContain('secret')
  })

  it('lets a host that called runHost start hosts of its own', () => {
    markRunHost()
    expect(spawnedHostLaunchError({ HOSTPIPE_TOKEN: 'secret' })).toBeUndefined()
  })
})
