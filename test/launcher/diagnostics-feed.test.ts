import { burstSagas } from '../../src/main/launcher/diagnostics-actions'
import { describe, expect, it } from 'vitest'
import type { DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import { REASON_OVERFLOW } from '../../src/main/host-pipe'
import { pipeStateOf, type DiagnosticsFeedOptions } from '../../src/main/launcher/diagnostics-feed'
import { makeLauncherRig, RIG_SOCKET_PATH, RIG_WALL_EPOCH as WALL } from '../support/launcher-harness'
import { settle } from '../support/memory-writer'
import { takeUnexpectedErrors } from '../support/unexpected-errors'

const makeFeedRig = (feed: Partial<DiagnosticsFeedOptions> = {}) =>
  makeLauncherRig({ supervisor: { maxRestarts: 2 }, feed })

describe('DiagnosticsFeed snapshot', () => {
  it('merges the pipe snapshot with host, saga and transport state', async () => {
    const rig = makeFeedRig()
    rig.supervisor.startHost()
    await rig.connect()
    rig.supervisor.markRunning()
    burstSagas(rig.coordinator, 2)
    await settle()
    const s = rig.feed.snapshot()
    expect(s).toMatchObject({
      ...rig.pipe.snapshot(),
      state: 'connected',
      hostPid: rig.spawner.last.pid,
      restarts: 0,
      transport: 'pipe',
      socketPath: RIG_SOCKET_PATH,
      sagas: { started: 2, completed: 0, failed: 0, inFlight: 2 },
      at: WALL + rig.clock.now(),
      expiresInMs: null,
    })
    expect(JSON.parse(JSON.stringify(s))).toEqual(s)
  })

  it('counts down the disconnect budget in the pipe clock, never below zero', async () => {
    const rig = makeFeedRig()
    await rig.connect()
    rig.pipe.clearWriter()
    expect(rig.feed.snapshot().expiresInMs).toBe(30_000)
    rig.clock.advance(10_000)
    expect(rig.feed.snapshot().expiresInMs).toBe(20_000)
    rig.clock.advance(20_000)
    expect(rig.feed.snapshot().expiresInMs).toBeNull()
  })

  it('maps supervisor and pipe state onto the badge', () => {
    expect(pipeStateOf(true, 'stopping')).toBe('connected')
    expect(pipeStateOf(true, 'stopped')).toBe('connected')
    expect(pipeStateOf(false, 'stopped')).toBe('stopped')
    expect(pipeStateOf(false, 'gave-up')).toBe('gave-up')
    for (const s of ['starting', 'running', 'backoff', 'stopping'] as const)
      expect(pipeStateOf(false, s)).toBe('disconnected')
  })

  it('reads stopped only once the held-down host has exited and left the pipe', async () => {
    const rig = makeFeedRig()
    rig.supervisor.startHost()
    await rig.connect()
    rig.supervisor.markRunning()
    await rig.feed.act('stop-host')
    expect(rig.feed.snapshot().state).toBe('disconnected') // stopping: the connection closed first
    rig.spawner.last.exit()
    expect(rig.feed.snapshot()).toMatchObject({ state: 'stopped', hostPid: null })
  })

  it('reads unresponsive from the verdict until the replacement host connects', async () => {
    const rig = makeFeedRig()
    rig.supervisor.startHost()
    await rig.connect()
    rig.supervisor.markRunning()
    expect(pipeStateOf(false, 'running', true)).toBe('unresponsive')
    expect(pipeStateOf(false, 'gave-up', true)).toBe('gave-up')
    rig.feed.markUnresponsive('host pid 4000 unresponsive for 5000 ms; killing it')
    rig.supervisor.loseHost('unresponsive', 'silent')
    rig.pipe.clearWriter()
    expect(rig.feed.snapshot().state).toBe('unresponsive')
    rig.spawner.last.exit()
    rig.clock.advance(100)
    expect(rig.feed.snapshot().state).toBe('unresponsive')
    await rig.connect()
    expect(rig.feed.snapshot().state).toBe('connected')
    rig.pipe.clearWriter()
    expect(rig.feed.snapshot().state).toBe('disconnected')
    expect(rig.feed.snapshot().events.map((e) => `${e.level} ${e.message}`)).toContain(
      'error host pid 4000 unresponsive for 5000 ms; killing it',
    )
  })

  it('logs a host that lost its connection while running, and that it is killed', () => {
    const rig = makeFeedRig()
    rig.supervisor.startHost()
    rig.supervisor.markRunning()
    rig.supervisor.loseHost('channel-gone', 'EOF')
    expect(rig.feed.snapshot().events.map((e) => e.message)).toContain(
      `host pid ${rig.spawner.last.pid} lost its connection (EOF); killing it`,
    )
  })

  it('reads gave-up after too many crashes, and reports restarts', async () => {
    const rig = makeFeedRig()
    rig.supervisor.startHost()
    rig.spawner.last.exit({ code: 1 })
    rig.clock.advance(100)
    expect(rig.feed.snapshot()).toMatchObject({ state: 'disconnected', restarts: 1 })
    rig.spawner.last.exit({ code: 1 })
    expect(rig.feed.snapshot().state).toBe('gave-up')
  })
})

describe('DiagnosticsFeed event ring', () => {
  it('records host crashes, restarts, connects and disconnects', async () => {
    const rig = makeFeedRig()
    rig.supervisor.startHost()
    await rig.connect()
    rig.pipe.clearWriter()
    rig.spawner.last.exit({ signal: 'SIGKILL' })
    rig.clock.advance(100)
    expect(rig.messages()).toEqual([
      'info host started pid 4000',
      'info host connected (session 1)',
      'warn host disconnected: commands are buffered until it returns',
      'error host pid 4000 crashed (signal SIGKILL)',
      'info restarting host in 100 ms',
      'info host restarted pid 4001',
    ])
  })

  it('records a saga failure with its reason at warn level', async () => {
    const rig = makeFeedRig()
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    rig.coordinator.handleReport({ cmd: 'report_saga_action_failed', saga_id: id, reason: 'pool is full' })
    expect(rig.feed.snapshot().events.at(-1)).toEqual({
      at: WALL + rig.clock.now(),
      level: 'warn',
      message: 'saga 1 (spawn_pool_window) failed: pool is full',
    })
  })

  it('folds a run of failures with one reason into one line (stop-host then burst 100)', async () => {
    const rig = makeFeedRig()
    burstSagas(rig.coordinator, 100)
    await settle()
    expect(rig.messages()).toEqual([
      `warn 36 sagas (spawn_pool_window) failed (saga 1 … saga 36): ${REASON_OVERFLOW}`,
    ])
  })

  it('keeps the last 200 events, most recent last', () => {
    const rig = makeFeedRig()
    for (let i = 1; i <= 250; i++) rig.feed.note('info', `note ${i}`)
    const events = rig.feed.snapshot().events
    expect(events).toHaveLength(200)
    expect(events[0]!.message).toBe('note 51')
    expect(events.at(-1)!.message).toBe('note 250')
  })

  it('records every action and its answer', async () => {
    const rig = makeFeedRig()
    expect(await rig.feed.act('kill-host')).toEqual({ ok: false, error: 'no host process is running' })
    expect(await rig.feed.act('burst', { count: 2 })).toEqual({
      ok: true,
      action: 'burst',
      detail: 'started 2 saga(s), ids 1–2',
    })
    expect(rig.messages()).toEqual([
      'warn kill-host refused: no host process is running',
      'info burst: started 2 saga(s), ids 1–2',
    ])
  })

  it('refuses every action when none were wired', async () => {
    const rig = makeFeedRig({ act: undefined })
    expect(await rig.feed.act('start-host')).toEqual({ ok: false, error: 'actions are not available' })
  })
})

describe('DiagnosticsFeed commands', () => {
  const custom = (name: string) => ({ cmd: 'custom' as const, name, input: {} })

  it('counts each command’s calls, running calls, failures and latencies as the coordinator tells it', async () => {
    const rig = makeFeedRig()
    await rig.connect()
    const a1 = rig.coordinator.startSaga(custom('add'))
    // Still running when the minute has passed: its timeout must not end it first.
    rig.coordinator.startSaga(custom('add'), { timeoutMs: 600_000 })
    const r1 = rig.coordinator.startSaga(custom('resize'))
    rig.clock.advance(20)
    rig.coordinator.handleReport({ cmd: 'report_result', saga_id: a1, output: {} })
    rig.coordinator.handleReport({ cmd: 'report_saga_action_failed', saga_id: r1, reason: 'too big' })
    expect(rig.feed.snapshot().commands).toEqual([
      { name: 'add', calls: 2, running: 1, failed: 0, p50Ms: 20, p99Ms: 20 },
      { name: 'resize', calls: 1, running: 0, failed: 1, p50Ms: 20, p99Ms: 20 },
    ])
    rig.clock.advance(61_000)
    expect(rig.feed.snapshot().commands[0]).toMatchObject({ name: 'add', p50Ms: null, p99Ms: null })
  })

  it('names the failed call’s command in the event ring, and folds a run naming each command', async () => {
    const rig = makeFeedRig()
    await rig.connect()
    const first = rig.coordinator.startSaga(custom('add'))
    rig.coordinator.handleReport({ cmd: 'report_saga_action_failed', saga_id: first, reason: 'bad input' })
    for (const name of ['a', 'b', 'c', 'd', 'a']) {
      const id = rig.coordinator.startSaga(custom(name))
      rig.coordinator.handleReport({ cmd: 'report_saga_action_failed', saga_id: id, reason: 'host gone' })
    }
    expect(rig.messages().filter((m) => m.includes('failed'))).toEqual([
      'warn saga 1 (add) failed: bad input',
      'warn 5 sagas (a, b, c, …) failed (saga 2 … saga 6): host gone',
    ])
  })

  it('tells end listeners once when it is disposed, and at once after', () => {
    const rig = makeFeedRig()
    let ends = 0
    rig.feed.onDidEnd(() => ends++)
    rig.feed.dispose()
    rig.feed.dispose()
    expect(ends).toBe(1)
    rig.feed.onDidEnd(() => ends++)
    expect(ends).toBe(2)
  })
})

describe('DiagnosticsFeed subscribe', () => {
  it('coalesces a burst of changes into one snapshot, then at most one per 50 ms', async () => {
    const rig = makeFeedRig()
    await rig.connect()
    const seen: DiagnosticsSnapshot[] = []
    rig.feed.subscribe((s) => seen.push(s))
    burstSagas(rig.coordinator, 10)
    await settle()
    expect(seen).toHaveLength(0)
    rig.clock.advance(0)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.sagas.started).toBe(10)
    burstSagas(rig.coordinator, 1)
    rig.clock.advance(49)
    expect(seen).toHaveLength(1)
    rig.clock.advance(1)
    expect(seen).toHaveLength(2)
    expect(seen[1]!.sagas.started).toBe(11)
  })

  it('stays silent and keeps no timer while nothing changes', async () => {
    const rig = makeFeedRig()
    await rig.connect()
    let calls = 0
    rig.feed.subscribe(() => calls++)
    rig.clock.advance(10_000)
    expect(calls).toBe(0)
    rig.feed.note('info', 'x')
    rig.clock.advance(0)
    expect(calls).toBe(1)
    expect(rig.clock.pendingTimers).toBe(0)
  })

  it('publishes each whole second of the expiry countdown while a deadline runs', async () => {
    const rig = makeFeedRig()
    await rig.connect()
    const seen: Array<number | null> = []
    rig.feed.subscribe((s) => seen.push(s.expiresInMs))
    rig.pipe.clearWriter()
    rig.clock.advance(3_000)
    expect(seen).toEqual([30_000, 29_000, 28_000, 27_000])
  })

  it('disposes its timer when the last subscriber leaves', async () => {
    const rig = makeFeedRig()
    await rig.connect()
    const a = rig.feed.subscribe(() => {})
    const b = rig.feed.subscribe(() => {})
    rig.feed.note('info', 'x')
    a()
    expect(rig.clock.pendingTimers).toBe(1)
    b()
    expect(rig.clock.pendingTimers).toBe(0)
  })

  it('keeps delivering to the others when one subscriber throws, and reports it as unexpected', () => {
    const rig = makeFeedRig()
    let calls = 0
    const boom = new Error('boom')
    rig.feed.subscribe(() => {
      throw boom
    })
    rig.feed.subscribe(() => calls++)
    rig.feed.note('info', 'x')
    rig.clock.advance(0)
    expect(calls).toBe(1)
    expect(takeUnexpectedErrors()).toEqual([boom])
  })

  it('stops listening to its sources on dispose', () => {
    const rig = makeFeedRig()
    let calls = 0
    rig.feed.subscribe(() => calls++)
    rig.feed.dispose()
    rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    rig.clock.advance(5_000)
    expect(calls).toBe(0)
    expect(rig.feed.snapshot().events).toEqual([])
  })
})
