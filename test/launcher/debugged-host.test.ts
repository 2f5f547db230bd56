import { describe, expect, it } from 'vitest'
import { HostSupervisor } from '../../src/main/launcher/host-supervisor'
import { FakeSpawner } from '../support/launcher-fakes'
import { ManualClock } from '../support/manual-clock'

/** A supervisor set up as the launcher sets it up for hosts started with an inspector flag. */
function makeDebuggingSupervisor() {
  const clock = new ManualClock()
  const spawner = new FakeSpawner()
  const supervisor = new HostSupervisor({
    spawn: (spawnId, role) =>
      spawner.spawn({ transport: 'pipe', token: 't', socketPath: '/tmp/s', spawnId, role, args: [] }),
    clock,
    maxRestarts: 2,
    startTimeoutMs: 0,
    backoffOptions: { random: () => 0, countsStartFailures: false },
  })
  return { supervisor, clock, spawner }
}

describe('a host that may sit paused in a debugger', () => {
  it('is never killed for not registering, however long it waits', () => {
    const { supervisor, clock, spawner } = makeDebuggingSupervisor()
    supervisor.startHost()
    clock.advance(10 * 60_000)
    expect(spawner.spawned).toHaveLength(1)
    expect(spawner.last.signals).toEqual([])
    expect(supervisor.state).toBe('starting')
  })

  it('is restarted with backoff after each failed start, past maxRestarts, never giving up', () => {
    const { supervisor, clock, spawner } = makeDebuggingSupervisor()
    supervisor.startHost()
    for (let i = 0; i < 6; i++) {
      spawner.last.exit()
      expect(supervisor.state).toBe('backoff')
      clock.advance(5_000)
    }
    expect(spawner.spawned).toHaveLength(7)
    expect(supervisor.state).toBe('starting')
  })
})
