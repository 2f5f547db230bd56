import { describe, expect, it } from 'vitest'
import { HostSupervisor } from '../../src/main/launcher/host-supervisor'
import type { SupervisorEvent } from '../../src/main/launcher/supervisor-event'
import { REFILL_AFTER_PROMOTION_MS } from '../../src/main/launcher/standby-pool'
import { FakeRegistration } from '../support/fake-registration'
import { FakeSpawner } from '../support/launcher-fakes'
import { ManualClock } from '../support/manual-clock'

function makeSupervisor(standby = 1, maxRestarts = 5) {
  const clock = new ManualClock()
  const spawner = new FakeSpawner()
  const supervisor = new HostSupervisor({
    spawn: (spawnId, role) =>
      spawner.spawn({ transport: 'pipe', token: 't', socketPath: '/tmp/s', spawnId, role, args: [] }),
    standby,
    maxRestarts,
    clock,
    graceMs: 100,
    backoffOptions: { random: () => 0 },
  })
  const events: SupervisorEvent[] = []
  supervisor.onDidChange((e) => events.push(e))
  return { supervisor, clock, spawner, events }
}

/** Starts the active host and one ready standby; returns them. */
function upWithStandby(s: ReturnType<typeof makeSupervisor>) {
  s.supervisor.startHost()
  s.supervisor.markRunning()
  const active = s.spawner.spawned[0]!
  const standby = s.spawner.spawned[1]!
  expect(s.supervisor.markStandbyReady(standby.options.spawnId!)).toBe(true)
  s.clock.advance(1_000)
  return { active, standby }
}

describe('warm standby (ARCHITECTURE §8)', () => {
  it('spawns the standby with role standby only once the active host runs, and reports it ready', () => {
    const s = makeSupervisor()
    s.supervisor.startHost()
    expect(s.spawner.spawned).toHaveLength(1) // the first host starts alone
    s.supervisor.markRunning()
    expect(s.spawner.spawned).toHaveLength(2)
    const standby = s.spawner.last
    expect(standby.options.role).toBe('standby')
    expect(s.spawner.spawned[0]!.options.role).toBeUndefined()
    expect(s.supervisor.readyStandbys).toBe(0)
    const registration = new FakeRegistration(standby.options.spawnId, 'standby')
    s.supervisor.admit(registration)
    expect(registration.decision).toEqual({ accepted: 'standby' })
    expect(s.supervisor.readyStandbys).toBe(1)
    expect(s.supervisor.standbyPids).toEqual([standby.pid])
  })

  it('keeps N standbys, and none with standby 0', () => {
    const three = makeSupervisor(3)
    three.supervisor.startHost()
    three.supervisor.markRunning()
    expect(three.spawner.spawned.filter((h) => h.options.role === 'standby')).toHaveLength(3)
    const none = makeSupervisor(0)
    none.supervisor.startHost()
    none.supervisor.markRunning()
    expect(none.spawner.spawned).toHaveLength(1)
  })

  it.each([
    ['exit', (s: ReturnType<typeof makeSupervisor>, active: { exit(): void }) => active.exit()],
    [
      'loss of its connection',
      (s: ReturnType<typeof makeSupervisor>) => s.supervisor.loseHost('channel-gone', 'EOF'),
    ],
    [
      'unresponsive',
      (s: ReturnType<typeof makeSupervisor>) => s.supervisor.loseHost('unresponsive', 'silent'),
    ],
    ['kill-host', (s: ReturnType<typeof makeSupervisor>) => s.supervisor.killHost()],
  ])(
    'promotes the ready standby at once on the active host’s %s, then spawns a replacement standby',
    (_, lose) => {
      const s = makeSupervisor()
      const { active, standby } = upWithStandby(s)
      lose(s, active)
      expect(s.events).toContainEqual({
        type: 'promoted',
        pid: standby.pid,
        spawnId: standby.options.spawnId,
      })
      expect(s.supervisor.state).toBe('running')
      expect(s.supervisor.hostPid).toBe(standby.pid)
      expect(s.supervisor.spawnId).toBe(standby.options.spawnId)
      expect(s.supervisor.restarts).toBe(1)
      expect(s.supervisor.failovers).toBe(1)
      // A replacement standby, spawned a little later (no backoff: the active host had been
      // serving), so neither the lost host's calls nor the promoted host's drain wait on a fork.
      expect(s.spawner.spawned).toHaveLength(2)
      s.clock.advance(REFILL_AFTER_PROMOTION_MS - 1)
      expect(s.spawner.spawned).toHaveLength(2)
      s.clock.advance(1)
      expect(s.spawner.spawned).toHaveLength(3)
      expect(s.spawner.last.options.role).toBe('standby')
      expect(s.supervisor.readyStandbys).toBe(0)
      // The lost host's exit, whenever it comes, changes nothing.
      if (!active.hasExited) active.exit()
      expect(s.supervisor.hostPid).toBe(standby.pid)
      expect(s.supervisor.restarts).toBe(1)
    },
  )

  it('spawns a host at once when no standby is ready yet', () => {
    const s = makeSupervisor()
    s.supervisor.startHost()
    s.supervisor.markRunning()
    s.clock.advance(1_000)
    s.spawner.spawned[0]!.exit({ code: 1 })
    expect(s.spawner.spawned).toHaveLength(3)
    expect(s.spawner.last.options.role).toBeUndefined()
    expect(s.supervisor.state).toBe('starting')
    expect(s.supervisor.failovers).toBe(0)
  })

  it('promotes a standby that becomes ready while the active host waits out a backoff', () => {
    const s = makeSupervisor()
    s.supervisor.startHost()
    s.supervisor.markRunning()
    const standby = s.spawner.spawned[1]!
    s.spawner.spawned[0]!.exit({ code: 1 }) // right after registering: a start failure
    expect(s.supervisor.state).toBe('backoff')
    s.supervisor.markStandbyReady(standby.options.spawnId!)
    expect(s.supervisor.hostPid).toBe(standby.pid)
    expect(s.supervisor.state).toBe('running')
  })

  it('promotes a standby that gets ready while the replacement of a lost host still starts, and drops that replacement', () => {
    const s = makeSupervisor()
    const { active } = upWithStandby(s)
    s.supervisor.killHost() // the ready standby is promoted
    s.clock.advance(REFILL_AFTER_PROMOTION_MS) // its replacement standby is spawned
    const startingStandby = s.spawner.last
    expect(startingStandby.options.role).toBe('standby')
    active.exit({ signal: 'SIGKILL' })
    s.clock.advance(1_000)
    // The promoted host is lost before the new standby registered: a cold host is spawned at once.
    s.spawner.spawned[1]!.exit({ code: 1 })
    const cold = s.spawner.last
    expect(cold.options.role).toBeUndefined()
    expect(s.supervisor.state).toBe('starting')
    expect(s.supervisor.restarts).toBe(2)
    // The standby, spawned earlier, registers first: it takes over; the cold host is killed.
    s.supervisor.markStandbyReady(startingStandby.options.spawnId!)
    expect(s.supervisor.state).toBe('running')
    expect(s.supervisor.hostPid).toBe(startingStandby.pid)
    expect(s.supervisor.failovers).toBe(2)
    expect(s.supervisor.restarts).toBe(2)
    expect(cold.signals).toEqual(['SIGKILL'])
    expect(s.supervisor.isDroppedSpawn(cold.options.spawnId)).toBe(true)
    // Its exit is a retirement, not a loss.
    cold.exit({ signal: 'SIGKILL' })
    expect(s.supervisor.hostPid).toBe(startingStandby.pid)
    expect(s.supervisor.restarts).toBe(2)
    // A `register` of it still unread when its exit was seen is refused all the same.
    expect(s.supervisor.isDroppedSpawn(cold.options.spawnId)).toBe(true)
    // The active host and a standby in the pool are wanted; an id never issued is not ours to judge.
    expect(s.supervisor.isDroppedSpawn(startingStandby.options.spawnId)).toBe(false)
    expect(s.supervisor.isDroppedSpawn('999')).toBe(false)
    expect(s.supervisor.isDroppedSpawn(undefined)).toBe(false)
    s.clock.advance(REFILL_AFTER_PROMOTION_MS)
    expect(s.supervisor.isDroppedSpawn(s.spawner.last.options.spawnId)).toBe(false)
  })

  it('replaces a standby that dies, counting the loss; a standby that keeps failing to start backs off', () => {
    const s = makeSupervisor(1, 10)
    upWithStandby(s)
    s.spawner.spawned[1]!.exit({ code: 1 })
    expect(s.spawner.spawned).toHaveLength(3) // had served 1 s: replaced at once
    s.spawner.last.exit({ code: 1 }) // never registered: a start failure
    expect(s.spawner.spawned).toHaveLength(3)
    s.clock.advance(100)
    expect(s.spawner.spawned).toHaveLength(4)
    s.spawner.last.exit({ code: 1 })
    s.clock.advance(100)
    expect(s.spawner.spawned).toHaveLength(4) // doubled: 200 ms
    s.clock.advance(100)
    expect(s.spawner.spawned).toHaveLength(5)
    expect(s.supervisor.state).toBe('running')
  })

  it('refuses a standby spawn that registers without the role and turns standby off once: its standbys retire, none is spawned again', () => {
    const s = makeSupervisor(2)
    s.supervisor.startHost()
    s.supervisor.markRunning()
    const [, first, second] = s.spawner.spawned
    const roleless = new FakeRegistration(first!.options.spawnId)
    s.supervisor.admit(roleless)
    expect(roleless.decision).toEqual({ refused: 'spawned as standby, registered without the role' })
    const late = new FakeRegistration(second!.options.spawnId)
    s.supervisor.admit(late)
    expect(late.decision).toEqual({ refused: 'a host this launcher dropped' })
    expect(s.events.filter((e) => e.type === 'standby-off')).toHaveLength(1)
    expect(first!.signals).toEqual(['SIGTERM'])
    expect(second!.signals).toEqual(['SIGTERM'])
    first!.exit()
    second!.exit()
    s.clock.advance(1_000)
    s.spawner.spawned[0]!.exit({ code: 1 })
    expect(s.spawner.last.options.role).toBeUndefined()
    expect(s.spawner.spawned.filter((h) => h.options.role === 'standby')).toHaveLength(2)
  })

  it('stop-host brings every host down and promotes nothing; start-host brings them all back', async () => {
    const s = makeSupervisor()
    const { active, standby } = upWithStandby(s)
    let stopped = false
    const stopping = s.supervisor.stopHost().then(() => (stopped = true))
    expect(active.signals).toEqual(['SIGTERM'])
    expect(standby.signals).toEqual(['SIGTERM'])
    active.exit()
    await Promise.resolve()
    expect(s.supervisor.state).toBe('stopped')
    expect(s.events.some((e) => e.type === 'promoted')).toBe(false)
    expect(stopped).toBe(false) // the standby is still going
    standby.exit()
    await stopping
    expect(s.spawner.spawned).toHaveLength(2)

    s.supervisor.startHost()
    s.supervisor.markRunning()
    expect(s.spawner.spawned).toHaveLength(4)
    expect(s.spawner.last.options.role).toBe('standby')
  })

  it('dispose leaves no host of either role: standbys get SIGKILL after the grace period', async () => {
    const s = makeSupervisor()
    const { active, standby } = upWithStandby(s)
    const lost = s.spawner.spawned[0]!
    let done = false
    const disposed = s.supervisor.dispose().then(() => (done = true))
    active.exit()
    s.clock.advance(100)
    expect(standby.signals).toEqual(['SIGTERM', 'SIGKILL'])
    standby.exit()
    await disposed
    expect(done).toBe(true)
    expect(lost).toBe(active)
    expect(s.clock.pendingTimers).toBe(0)
  })

  it('counts promotions toward giving up, and giving up stops the standbys', () => {
    const s = makeSupervisor(1, 3)
    upWithStandby(s)
    for (let i = 0; i < 2; i++) {
      s.supervisor.killHost()
      s.clock.advance(REFILL_AFTER_PROMOTION_MS)
      s.supervisor.markStandbyReady(s.spawner.last.options.spawnId!)
      s.clock.advance(1_000)
    }
    expect(s.supervisor.failovers).toBe(2)
    const standby = s.spawner.last
    s.supervisor.killHost()
    expect(s.supervisor.state).toBe('gave-up')
    expect(s.supervisor.failovers).toBe(2)
    expect(standby.signals).toEqual(['SIGTERM'])
  })
})
