import { describe, expect, it } from 'vitest'
import { HostSupervisor, type HostSupervisorOptions } from '../../src/main/launcher/host-supervisor'
import { REFILL_AFTER_PROMOTION_MS } from '../../src/main/launcher/standby-pool'
import type { SupervisorEvent } from '../../src/main/launcher/supervisor-event'
import { FakeRegistration } from '../support/fake-registration'
import { FakeSpawner, type FakeHostProcess } from '../support/launcher-fakes'
import { ManualClock } from '../support/manual-clock'
import { settle } from '../support/memory-writer'

function makeSupervisor(opts: Partial<HostSupervisorOptions> = {}) {
  const clock = new ManualClock()
  const spawner = new FakeSpawner()
  let connectionCloses = 0
  const supervisor = new HostSupervisor({
    spawn: (spawnId) =>
      spawner.spawn({
        transport: 'pipe',
        token: 'secret-token',
        socketPath: '/tmp/s',
        spawnId,
        args: ['-x'],
      }),
    clock,
    closeHostConnection: () => connectionCloses++,
    backoffOptions: { random: () => 0 },
    ...opts,
  })
  const events: SupervisorEvent[] = []
  supervisor.onDidChange((e) => events.push(e))
  return { supervisor, clock, spawner, events, connectionCloses: () => connectionCloses }
}

describe('HostSupervisor spawning', () => {
  it('starts the host through the spawn function it was given and tracks it as starting', () => {
    const { supervisor, spawner } = makeSupervisor()
    expect(supervisor.startHost()).toBe(true)
    expect(spawner.spawned).toHaveLength(1)
    expect(spawner.last.options).toEqual({
      transport: 'pipe',
      token: 'secret-token',
      socketPath: '/tmp/s',
      spawnId: '1',
      args: ['-x'],
    })
    expect(supervisor.state).toBe('starting')
    expect(supervisor.hostPid).toBe(spawner.last.pid)
  })

  it('names each spawn with a new spawn id (HOSTPIPE_SPAWN_ID) and reports the current one', () => {
    const { supervisor, spawner } = makeSupervisor()
    supervisor.startHost()
    expect(spawner.last.options.spawnId).toBe('1')
    expect(supervisor.spawnId).toBe('1')
    spawner.last.exit({ code: 1, signal: null, crashed: true })
    expect(supervisor.spawnId).toBeUndefined()
  })

  it('announces each new host on onDidSpawn so the launcher can attach its connection', () => {
    const { supervisor, spawner } = makeSupervisor()
    const seen: number[] = []
    supervisor.onDidSpawn((h) => seen.push(h.pid!))
    supervisor.startHost()
    expect(seen).toEqual([spawner.last.pid])
  })

  it('is running once the host registered, and starting a running host does nothing', () => {
    const { supervisor, spawner } = makeSupervisor()
    supervisor.startHost()
    supervisor.markRunning()
    expect(supervisor.state).toBe('running')
    expect(supervisor.startHost()).toBe(false)
    expect(spawner.spawned).toHaveLength(1)
  })
})

describe('HostSupervisor restarts', () => {
  it('restarts a crashed host within 100 ms and counts the restart', () => {
    const { supervisor, spawner, clock } = makeSupervisor()
    supervisor.startHost()
    supervisor.markRunning()
    const first = spawner.last
    first.exit({ code: 1 })
    expect(supervisor.state).toBe('backoff')
    expect(supervisor.hostPid).toBeNull()
    clock.advance(100)
    expect(spawner.spawned).toHaveLength(2)
    expect(spawner.last).not.toBe(first)
    expect(supervisor.state).toBe('starting')
    expect(supervisor.restarts).toBe(1)
  })

  it('kills a serving host with SIGKILL and replaces it at once (kill-host is a serving loss)', () => {
    const { supervisor, spawner, clock, events } = makeSupervisor()
    supervisor.startHost()
    supervisor.markRunning()
    clock.advance(1_000)
    const killed = spawner.last
    expect(supervisor.killHost()).toBe(true)
    expect(killed.signals).toEqual(['SIGKILL'])
    expect(events).toContainEqual({
      type: 'lost',
      pid: 4000,
      spawnId: '1',
      reason: 'killed',
      detail: 'kill-host',
    })
    // Replaced before its exit is even seen, without a backoff wait.
    expect(spawner.spawned).toHaveLength(2)
    expect(supervisor.restarts).toBe(1)
    expect(supervisor.hostPid).toBe(4001)
    killed.exit()
    expect(supervisor.hostPid).toBe(4001)
    expect(supervisor.state).toBe('starting')
  })

  it('kills a starting host with SIGKILL and counts its exit as a start failure (backoff)', () => {
    const { supervisor, spawner, clock } = makeSupervisor()
    supervisor.startHost()
    expect(supervisor.killHost()).toBe(true)
    spawner.last.exit()
    expect(supervisor.state).toBe('backoff')
    clock.advance(100)
    expect(supervisor.restarts).toBe(1)
    expect(supervisor.hostPid).toBe(4001)
  })

  it('has nothing to kill while no host process exists', () => {
    const { supervisor } = makeSupervisor()
    expect(supervisor.killHost()).toBe(false)
  })

  it('counts a clean exit it did not ask for as a crash too', () => {
    const { supervisor, spawner, clock } = makeSupervisor()
    supervisor.startHost()
    spawner.last.exit({ code: 0 })
    expect(supervisor.state).toBe('backoff')
    clock.advance(100)
    expect(spawner.spawned).toHaveLength(2)
  })

  it('doubles the wait on consecutive crashes and starts over after 30 s of stable running', () => {
    const { supervisor, spawner, clock, events } = makeSupervisor({ maxRestarts: 10 })
    supervisor.startHost()
    const delays = () => events.flatMap((e) => (e.type === 'restart-scheduled' ? [e.delayMs] : []))
    for (let i = 0; i < 3; i++) {
      spawner.last.exit({ code: 1 })
      clock.advance(5_000)
    }
    supervisor.markRunning()
    clock.advance(30_000)
    spawner.last.exit({ code: 1 })
    // The last host had served 30 s: a serving loss, replaced at once.
    expect(delays()).toEqual([100, 200, 400, 0])
  })

  it('gives up after maxRestarts crashes within 60 s and stays down until start-host', () => {
    const { supervisor, spawner, clock } = makeSupervisor({ maxRestarts: 3 })
    supervisor.startHost()
    for (let i = 0; i < 2; i++) {
      spawner.last.exit({ code: 1 })
      clock.advance(1_000)
    }
    expect(spawner.spawned).toHaveLength(3)
    spawner.last.exit({ code: 1 })
    expect(supervisor.state).toBe('gave-up')
    expect(clock.pendingTimers).toBe(0)
    clock.advance(60_000)
    expect(spawner.spawned).toHaveLength(3)

    expect(supervisor.startHost()).toBe(true)
    expect(spawner.spawned).toHaveLength(4)
    expect(supervisor.state).toBe('starting')
    // The crash history was cleared: the next crash restarts again.
    spawner.last.exit({ code: 1 })
    expect(supervisor.state).toBe('backoff')
  })

  it('retries with backoff when spawning itself fails', () => {
    const { supervisor, spawner, clock, events } = makeSupervisor()
    spawner.failNext = 1
    supervisor.startHost()
    expect(events[0]).toEqual({ type: 'spawn-failed', error: 'Error: spawn ENOENT' })
    expect(supervisor.state).toBe('backoff')
    clock.advance(100)
    expect(spawner.spawned).toHaveLength(1)
    expect(supervisor.state).toBe('starting')
  })

  it('cuts a backoff wait short on start-host', () => {
    const { supervisor, spawner, clock } = makeSupervisor()
    supervisor.startHost()
    spawner.last.exit({ code: 1 })
    expect(supervisor.startHost()).toBe(true)
    expect(spawner.spawned).toHaveLength(2)
    clock.advance(10_000)
    expect(spawner.spawned).toHaveLength(2)
  })

  it('kills a host that never registers and counts it as a crash', () => {
    const { supervisor, spawner, clock } = makeSupervisor({ startTimeoutMs: 1_000 })
    supervisor.startHost()
    clock.advance(1_000)
    expect(spawner.last.signals).toEqual(['SIGKILL'])
    spawner.last.exit()
    expect(supervisor.state).toBe('backoff')
  })

  it('never runs two hosts: a host that survives SIGKILL delays the next start until it exits', async () => {
    const { supervisor, spawner, clock } = makeSupervisor({ graceMs: 10 })
    supervisor.startHost()
    const wedged = spawner.last
    const stopped = supervisor.stopHost()
    clock.advance(20) // SIGTERM, SIGKILL, then the supervisor stops waiting for it
    await stopped
    expect(wedged.signals).toEqual(['SIGTERM', 'SIGKILL'])
    expect(supervisor.state).toBe('stopping')
    expect(supervisor.startHost()).toBe(true)
    expect(spawner.spawned).toHaveLength(1)
    wedged.exit()
    expect(spawner.spawned).toHaveLength(2)
  })
})

describe('HostSupervisor stop-host', () => {
  it('closes the connection, sends SIGTERM, and holds the host down once it exited', async () => {
    const { supervisor, spawner, clock, connectionCloses } = makeSupervisor()
    supervisor.startHost()
    supervisor.markRunning()
    let stopped = false
    void supervisor.stopHost().then(() => (stopped = true))
    expect(connectionCloses()).toBe(1)
    expect(spawner.last.signals).toEqual(['SIGTERM'])
    expect(supervisor.state).toBe('stopping')
    spawner.last.exit()
    await settle()
    expect(stopped).toBe(true)
    expect(supervisor.state).toBe('stopped')
    expect(supervisor.hostPid).toBeNull()
    expect(clock.pendingTimers).toBe(0)
    clock.advance(120_000)
    expect(spawner.spawned).toHaveLength(1)
    expect(supervisor.restarts).toBe(0)
  })

  it('sends SIGKILL when the host ignores SIGTERM for the grace period', () => {
    const { supervisor, spawner, clock } = makeSupervisor()
    supervisor.startHost()
    void supervisor.stopHost()
    clock.advance(1_999)
    expect(spawner.last.signals).toEqual(['SIGTERM'])
    clock.advance(1)
    expect(spawner.last.signals).toEqual(['SIGTERM', 'SIGKILL'])
    spawner.last.exit()
    expect(supervisor.state).toBe('stopped')
  })

  it('cancels a scheduled restart and holds the host down', async () => {
    const { supervisor, spawner, clock } = makeSupervisor()
    supervisor.startHost()
    spawner.last.exit({ code: 1 })
    await supervisor.stopHost()
    expect(supervisor.state).toBe('stopped')
    clock.advance(10_000)
    expect(spawner.spawned).toHaveLength(1)
  })

  it('turns gave-up into stopped, and stopping twice waits for the same exit', async () => {
    const { supervisor, spawner } = makeSupervisor({ maxRestarts: 0 })
    supervisor.startHost()
    spawner.last.exit({ code: 1 })
    expect(supervisor.state).toBe('gave-up')
    await supervisor.stopHost()
    expect(supervisor.state).toBe('stopped')
    await supervisor.stopHost()

    supervisor.startHost()
    const a = supervisor.stopHost()
    const b = supervisor.stopHost()
    spawner.last.exit()
    await Promise.all([a, b])
    expect(supervisor.state).toBe('stopped')
  })

  it('starts a new host after the old one exited when start-host comes in while stopping', () => {
    const { supervisor, spawner } = makeSupervisor()
    supervisor.startHost()
    void supervisor.stopHost()
    expect(supervisor.startHost()).toBe(true)
    expect(spawner.spawned).toHaveLength(1)
    spawner.last.exit()
    expect(spawner.spawned).toHaveLength(2)
    expect(supervisor.state).toBe('starting')
  })

  it('does not kill the held-down host’s successor: kill-host while stopped does nothing', () => {
    const { supervisor, spawner } = makeSupervisor()
    supervisor.startHost()
    void supervisor.stopHost()
    spawner.last.exit()
    expect(supervisor.killHost()).toBe(false)
  })
})

describe('HostSupervisor dispose', () => {
  it('terminates the host and resolves once it exited, leaving no timer', async () => {
    const { supervisor, spawner, clock } = makeSupervisor()
    supervisor.startHost()
    supervisor.markRunning()
    let done = false
    void supervisor.dispose().then(() => (done = true))
    expect(spawner.last.signals).toEqual(['SIGTERM'])
    await settle()
    expect(done).toBe(false)
    spawner.last.exit()
    await settle()
    expect(done).toBe(true)
    expect(clock.pendingTimers).toBe(0)
    expect(supervisor.startHost()).toBe(false)
    expect(spawner.spawned).toHaveLength(1)
  })

  it('escalates to SIGKILL during dispose and never restarts the host', async () => {
    const { supervisor, spawner, clock } = makeSupervisor()
    supervisor.startHost()
    const disposed = supervisor.dispose()
    clock.advance(2_000)
    expect(spawner.last.signals).toEqual(['SIGTERM', 'SIGKILL'])
    spawner.last.exit()
    await disposed
    clock.advance(60_000)
    expect(spawner.spawned).toHaveLength(1)
  })

  it('does not hang on a process that survives SIGKILL', async () => {
    const { supervisor, clock } = makeSupervisor()
    supervisor.startHost()
    const disposed = supervisor.dispose()
    clock.advance(4_000)
    await disposed
  })

  it('takes over a stop in progress and cancels a pending restart', async () => {
    const { supervisor, spawner, clock } = makeSupervisor()
    supervisor.startHost()
    void supervisor.stopHost()
    const disposed = supervisor.dispose()
    spawner.last.exit()
    await disposed
    expect(clock.pendingTimers).toBe(0)

    const other = makeSupervisor()
    other.supervisor.startHost()
    other.spawner.last.exit({ code: 1 })
    await other.supervisor.dispose()
    expect(other.clock.pendingTimers).toBe(0)
    expect(other.supervisor.state).toBe('stopped')
  })
})

/** A supervisor of two pool slots; `closed` lists the slots whose connection it closed. */
function makePool(opts: Partial<HostSupervisorOptions> = {}) {
  const clock = new ManualClock()
  const spawner = new FakeSpawner()
  const closed: number[] = []
  const supervisor = new HostSupervisor({
    spawn: (spawnId, role, slot) =>
      spawner.spawn({ transport: 'pipe', token: 't', socketPath: '/tmp/s', spawnId, role, slot, args: [] }),
    slots: 2,
    clock,
    graceMs: 100,
    closeHostConnection: (_reason, slot) => closed.push(slot),
    backoffOptions: { random: () => 0 },
    ...opts,
  })
  /** Registers `host` as its spawn would (echoing its spawn id); returns the registration. */
  const register = (host: FakeHostProcess, role?: 'standby'): FakeRegistration => {
    const registration = new FakeRegistration(host.options.spawnId, role, host.pid)
    supervisor.admit(registration)
    return registration
  }
  return { supervisor, clock, spawner, closed, register }
}

/** Both slots' hosts registered and serving for 1 s; with `standby`, the standbys spawned then. */
function upPool(pool: ReturnType<typeof makePool>) {
  pool.supervisor.startHost()
  const [first, second] = pool.spawner.spawned
  pool.register(first!)
  pool.register(second!)
  pool.clock.advance(1_000)
  return { first: first!, second: second! }
}

describe('HostSupervisor with a pool of two slots', () => {
  it('spawns both slots’ hosts at start, each told its slot', () => {
    const { supervisor, spawner } = makePool()
    expect(supervisor.slotCount).toBe(2)
    expect(supervisor.startHost()).toBe(true)
    expect(spawner.spawned.map((h) => h.options.slot)).toEqual([0, 1])
    expect(spawner.spawned.map((h) => h.options.role)).toEqual([undefined, undefined])
    expect([supervisor.stateOf(0), supervisor.stateOf(1)]).toEqual(['starting', 'starting'])
    expect([supervisor.hostPidOf(0), supervisor.hostPidOf(1)]).toEqual([4000, 4001])
    expect(supervisor.startHost()).toBe(false)
  })

  it('matches each registration to its slot by spawn id, whatever the order they arrive in', () => {
    const { supervisor, spawner, register } = makePool()
    supervisor.startHost()
    const [first, second] = spawner.spawned
    const late = register(second!)
    expect(late.decision).toEqual({ accepted: 'active' })
    expect(late.acceptedSlot).toBe(1)
    expect([supervisor.stateOf(0), supervisor.stateOf(1)]).toEqual(['starting', 'running'])
    const early = register(first!)
    expect(early.acceptedSlot).toBe(0)
    expect(supervisor.stateOf(0)).toBe('running')
    // The same spawn registering again, its connection open, takes nothing.
    const again = register(second!)
    expect(again.decision).toEqual({ refused: 'a second registration of the active host' })
  })

  it('promotes a ready standby into the slot that lost its host, and leaves the other slot alone', () => {
    const pool = makePool({ standby: 1 })
    const { first, second } = upPool(pool)
    const standby = pool.spawner.last
    expect(standby.options.role).toBe('standby')
    const spare = pool.register(standby, 'standby')
    expect(spare.decision).toEqual({ accepted: 'standby' })
    second.exit({ code: 1 })
    expect(spare.promotedTo).toEqual([1])
    expect(pool.supervisor.hostPidOf(1)).toBe(standby.pid)
    expect(pool.supervisor.stateOf(1)).toBe('running')
    expect(pool.supervisor.hostPidOf(0)).toBe(first.pid)
    expect(pool.supervisor.stateOf(0)).toBe('running')
    expect(first.signals).toEqual([])
    expect(pool.closed).toEqual([])
    expect([pool.supervisor.restartsOf(0), pool.supervisor.restartsOf(1)]).toEqual([0, 1])
    expect(pool.supervisor.failovers).toBe(1)
  })

  it('promotes a standby that gets ready while slot 1 waits out a backoff into slot 1', () => {
    const pool = makePool({ standby: 1 })
    pool.supervisor.startHost()
    const [first, second] = pool.spawner.spawned
    pool.register(first!)
    const standby = pool.spawner.last
    second!.exit({ code: 1 }) // never registered: a start failure, so slot 1 backs off
    expect(pool.supervisor.stateOf(1)).toBe('backoff')
    const spare = pool.register(standby, 'standby')
    expect(spare.promotedTo).toEqual([1])
    expect(pool.supervisor.stateOf(1)).toBe('running')
    expect(pool.supervisor.hostPidOf(1)).toBe(standby.pid)
    expect(pool.supervisor.hostPidOf(0)).toBe(first!.pid)
    // The backoff's spawn was cancelled: only the replacement standby follows.
    pool.clock.advance(1_000)
    expect(pool.spawner.spawned.slice(3).map((h) => h.options.role)).toEqual(['standby'])
  })

  it('replaces a serving host of either slot at once, however the other slot fared before', () => {
    const pool = makePool({ maxRestarts: 10 })
    const { first, second } = upPool(pool)
    second.exit({ code: 1 })
    expect(pool.supervisor.stateOf(1)).toBe('starting')
    pool.clock.advance(1_000)
    // Slot 0 had served 2 s: a serving loss, replaced without a backoff wait.
    first.exit({ code: 1 })
    expect(pool.supervisor.stateOf(0)).toBe('starting')
    expect(pool.spawner.last.options.slot).toBe(0)
  })

  it('counts the losses of both slots toward maxRestarts', () => {
    const pool = makePool({ maxRestarts: 3 })
    const { first, second } = upPool(pool)
    first.exit({ code: 1 })
    pool.register(pool.spawner.last)
    pool.clock.advance(1_000)
    second.exit({ code: 1 })
    pool.register(pool.spawner.last)
    pool.clock.advance(1_000)
    expect(pool.supervisor.restarts).toBe(2)
    expect([pool.supervisor.restartsOf(0), pool.supervisor.restartsOf(1)]).toEqual([1, 1])
    // The third loss in the pool within 60 s gives up, though slot 1 lost only its second host.
    pool.spawner.last.exit({ code: 1 })
    expect(pool.supervisor.stateOf(1)).toBe('gave-up')
    expect(pool.supervisor.stateOf(0)).toBe('running')
    expect(pool.spawner.spawned).toHaveLength(4)
  })

  it('kill-host of slot 1 SIGKILLs that slot’s host only and respawns into slot 1', () => {
    const pool = makePool()
    const { first, second } = upPool(pool)
    expect(pool.supervisor.killHost(1)).toBe(true)
    expect(second.signals).toEqual(['SIGKILL'])
    expect(first.signals).toEqual([])
    expect(pool.closed).toEqual([1])
    const successor = pool.spawner.last
    expect(successor.options.slot).toBe(1)
    expect(pool.supervisor.hostPidOf(1)).toBe(successor.pid)
    expect(pool.supervisor.hostPidOf(0)).toBe(first.pid)
    expect([pool.supervisor.restartsOf(0), pool.supervisor.restartsOf(1)]).toEqual([0, 1])
    expect(pool.supervisor.killHost(2)).toBe(false)
  })

  it('stop-host brings every slot down and resolves once all have exited', async () => {
    const pool = makePool()
    const { first, second } = upPool(pool)
    let stopped = false
    const stopping = pool.supervisor.stopHost().then(() => (stopped = true))
    expect(pool.closed.sort()).toEqual([0, 1])
    expect(first.signals).toEqual(['SIGTERM'])
    expect(second.signals).toEqual(['SIGTERM'])
    first.exit()
    await settle()
    expect(stopped).toBe(false)
    second.exit()
    await stopping
    expect([pool.supervisor.stateOf(0), pool.supervisor.stateOf(1)]).toEqual(['stopped', 'stopped'])
    expect(pool.clock.pendingTimers).toBe(0)
    expect(pool.supervisor.startHost()).toBe(true)
    expect(pool.spawner.spawned.slice(2).map((h) => h.options.slot)).toEqual([0, 1])
  })

  it('replaces slot 1’s host at once when the standby promoted into it has just lost its connection', () => {
    const pool = makePool({ standby: 1, maxRestarts: 10 })
    const { first, second } = upPool(pool)
    const standby = pool.spawner.last
    const spare = pool.register(standby, 'standby')
    spare.close()
    expect(standby.signals).toEqual(['SIGKILL'])
    second.exit({ code: 1 })
    expect(spare.promotedTo).toEqual([])
    const successor = pool.spawner.spawned.find((h) => h.options.slot === 1 && h !== second)
    expect(successor).toBeDefined()
    expect(pool.supervisor.hostPidOf(1)).toBe(successor!.pid)
    expect(pool.supervisor.stateOf(1)).toBe('starting')
    expect(pool.supervisor.hostPidOf(0)).toBe(first.pid)
    expect(pool.supervisor.stateOf(0)).toBe('running')
    expect(first.signals).toEqual([])
    expect(pool.closed).not.toContain(0)
    pool.register(successor!)
    expect(pool.supervisor.stateOf(1)).toBe('running')
  })

  it('keeps slot 0’s warm standby when slot 1 gives up', () => {
    const pool = makePool({ standby: 1, maxRestarts: 2 })
    upPool(pool)
    const standby = pool.spawner.last
    pool.register(standby, 'standby')
    // Slot 1's host and the standby promoted into it are both lost: the pool's budget is spent.
    pool.supervisor.killHost(1)
    pool.clock.advance(REFILL_AFTER_PROMOTION_MS)
    pool.spawner.spawned
      .filter((h) => h.options.role === 'standby' && h !== standby)
      .forEach((h) => pool.register(h, 'standby'))
    pool.supervisor.killHost(1)
    pool.clock.advance(10)
    pool.supervisor.killHost(1)
    expect(pool.supervisor.stateOf(1)).toBe('gave-up')
    expect(pool.supervisor.stateOf(0)).toBe('running')
    pool.clock.advance(60_000)
    const live = pool.spawner.spawned.filter((h) => h.options.role === 'standby' && h.signals.length === 0)
    expect(live.length).toBe(1)
  })

  it('refills the standbys for slot 1 while slot 0 has given up', () => {
    const pool = makePool({ standby: 1, maxRestarts: 3, startTimeoutMs: 0 })
    const { second } = upPool(pool)
    const standby = pool.spawner.last
    expect(standby.options.role).toBe('standby')
    // Slot 0's hosts keep exiting (its standby not ready yet, so each is a cold spawn) until the
    // policy gives up on it.
    for (let i = 0; i < 3; i++) {
      const host = pool.spawner.spawned.find((h) => h.pid === pool.supervisor.hostPidOf(0))!
      host.exit({ code: 1 })
      pool.clock.advance(5_000)
    }
    expect(pool.supervisor.stateOf(0)).toBe('gave-up')
    expect(pool.supervisor.stateOf(1)).toBe('running')
    pool.register(standby, 'standby')
    pool.clock.advance(60_000) // past the crash window: slot 1's loss is no give-up
    second.exit({ code: 1 })
    expect(pool.supervisor.hostPidOf(1)).toBe(standby.pid)
    const spawnedBefore = pool.spawner.spawned.length
    pool.clock.advance(REFILL_AFTER_PROMOTION_MS)
    expect(pool.spawner.spawned).toHaveLength(spawnedBefore + 1)
    expect(pool.spawner.last.options.role).toBe('standby')
  })

  it('dispose terminates every slot’s host and leaves no timer', async () => {
    const pool = makePool()
    const { first, second } = upPool(pool)
    let done = false
    const disposed = pool.supervisor.dispose().then(() => (done = true))
    expect(first.signals).toEqual(['SIGTERM'])
    expect(second.signals).toEqual(['SIGTERM'])
    second.exit()
    await settle()
    expect(done).toBe(false)
    first.exit()
    await disposed
    expect(pool.clock.pendingTimers).toBe(0)
    expect(pool.spawner.spawned).toHaveLength(2)
  })
})
