import { describe, expect, it } from 'vitest'
import { HostSupervisor } from '../../src/main/launcher/host-supervisor'
import type { SupervisorEvent } from '../../src/main/launcher/supervisor-event'
import { FakeSpawner } from '../support/launcher-fakes'
import { ManualClock } from '../support/manual-clock'

function makeSupervisor() {
  const clock = new ManualClock()
  const spawner = new FakeSpawner()
  const supervisor = new HostSupervisor({
    spawn: (spawnId) =>
      spawner.spawn({ transport: 'pipe', token: 't', socketPath: '/tmp/hp/pipe.sock', spawnId, args: [] }),
    clock,
    backoffOptions: { random: () => 0 },
  })
  const events: SupervisorEvent[] = []
  supervisor.onDidChange((e) => events.push(e))
  return { supervisor, clock, spawner, events }
}

describe('HostSupervisor: a serving host lost while its process lives (§8)', () => {
  it('gives each spawn its own id, and forgets it once the process has exited', () => {
    const { supervisor, spawner } = makeSupervisor()
    supervisor.startHost()
    expect(spawner.last.options.spawnId).toBe('1')
    expect(supervisor.spawnId).toBe('1')
    supervisor.markRunning()
    supervisor.killHost()
    spawner.last.exit()
    expect(supervisor.spawnId).toBeUndefined()
  })

  it('SIGKILLs a lost host once; lost right after registering it is a start failure and waits out the backoff', () => {
    const { supervisor, clock, spawner, events } = makeSupervisor()
    supervisor.startHost()
    supervisor.markRunning()
    const lost = spawner.last
    expect(supervisor.loseHost('unresponsive', 'silent for 5000 ms')).toBe(true)
    expect(supervisor.loseHost('channel-gone', 'EOF')).toBe(false)
    expect(lost.signals).toEqual(['SIGKILL'])
    expect(events).toContainEqual({
      type: 'lost',
      pid: lost.pid,
      spawnId: lost.options.spawnId,
      reason: 'unresponsive',
      detail: 'silent for 5000 ms',
    })
    lost.exit()
    expect(events.at(-1)).toMatchObject({ type: 'restart-scheduled' })
    clock.advance(5_000)
    expect(spawner.spawned).toHaveLength(2)
    expect(supervisor.spawnId).toBe('2')
    expect(supervisor.restarts).toBe(1)
  })

  it('does nothing for a host that is not serving: starting, stopping, or already killed by kill-host', () => {
    const { supervisor, spawner } = makeSupervisor()
    supervisor.startHost()
    expect(supervisor.loseHost('channel-gone', 'EOF')).toBe(false)
    supervisor.markRunning()
    supervisor.killHost()
    expect(supervisor.loseHost('channel-gone', 'EOF')).toBe(false)
    expect(spawner.last.signals).toEqual(['SIGKILL'])
    spawner.last.exit()
    supervisor.startHost()
    supervisor.markRunning()
    void supervisor.stopHost()
    expect(supervisor.loseHost('channel-gone', 'closed')).toBe(false)
    expect(spawner.last.signals).toEqual(['SIGTERM'])
  })
})
