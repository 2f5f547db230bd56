import { burstSagas } from '../../src/main/launcher/diagnostics-actions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_BURST } from '../../src/shared/diagnostics'
import { REASON_BEFORE_ACK, REASON_EXPIRED, REASON_OVERFLOW } from '../../src/main/host-pipe'
import { SAGA_TIMEOUT_MS } from '../../src/main/launcher/saga-coordinator'
import { makeSagaRig, RIG_WALL_EPOCH } from '../support/launcher-harness'
import { settle } from '../support/memory-writer'

describe('SagaCoordinator starting sagas', () => {
  it('numbers sagas from 1, announces each and sends its command with the saga id', async () => {
    const rig = makeSagaRig()
    const w = await rig.connect()
    expect(rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })).toBe(1)
    expect(rig.coordinator.startSaga({ cmd: 'reap_panes', label: 'p1' })).toBe(2)
    expect(rig.coordinator.startSaga({ cmd: 'drain_pool_if_last', label: 'p1' })).toBe(3)
    await settle()
    expect(rig.events.filter((e) => e.event === 'saga_started').map((e) => ({ ...e, version: 0 }))).toEqual([
      { event: 'saga_started', saga_id: 1, name: 'spawn_pool_window', version: 0 },
      { event: 'saga_started', saga_id: 2, name: 'reap_panes', version: 0 },
      { event: 'saga_started', saga_id: 3, name: 'drain_pool_if_last', version: 0 },
    ])
    // Each carries its deadline (§8): the wall-clock moment its 5 s timeout fires.
    const deadline = RIG_WALL_EPOCH + rig.clock.now() + SAGA_TIMEOUT_MS
    expect(w.parsed()).toEqual([
      { kind: 'command', seq: 1, cmd: 'spawn_pool_window', saga_id: 1, deadline },
      { kind: 'command', seq: 2, cmd: 'reap_panes', label: 'p1', saga_id: 2, deadline },
      { kind: 'command', seq: 3, cmd: 'drain_pool_if_last', label: 'p1', saga_id: 3, deadline },
    ])
    expect(rig.coordinator.totals()).toEqual({
      started: 3,
      completed: 0,
      failed: 0,
      inFlight: 3,
      lateReports: 0,
    })
  })

  it('gives every event a strictly increasing version from the shared counter', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    burstSagas(rig.coordinator, 3)
    await settle()
    rig.coordinator.handleReport({ cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 })
    const versions = rig.events.map((e) => e.version)
    expect(versions).toEqual([...versions].sort((a, b) => a - b))
    expect(new Set(versions).size).toBe(versions.length)
  })

  it('refuses a label-less pane saga and a burst outside 1…MAX_BURST', () => {
    const rig = makeSagaRig()
    expect(() => rig.coordinator.startSaga({ cmd: 'reap_panes', label: '' })).toThrow(/non-empty label/)
    for (const bad of [0, -1, 1.5, MAX_BURST + 1, Number.NaN])
      expect(() => burstSagas(rig.coordinator, bad)).toThrow(RangeError)
    expect(rig.coordinator.totals().started).toBe(0)
  })
})

describe('SagaCoordinator reports', () => {
  it('completes a spawn saga with pool_window_added then saga_completed', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    expect(rig.coordinator.handleReport({ cmd: 'report_pool_window_added', label: 'w7', saga_id: id })).toBe(
      true,
    )
    expect(rig.events.slice(-2).map((e) => ({ ...e, version: 0 }))).toEqual([
      { event: 'pool_window_added', label: 'w7', saga_id: id, version: 0 },
      { event: 'saga_completed', saga_id: id, version: 0 },
    ])
    expect(rig.coordinator.totals()).toEqual({
      started: 1,
      completed: 1,
      failed: 0,
      inFlight: 0,
      lateReports: 0,
    })
  })

  it('completes a reap saga with panes_reaped', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'reap_panes', label: 'p1' })
    rig.coordinator.handleReport({ cmd: 'report_panes_reaped', label: 'p1', saga_id: id })
    expect(rig.events.slice(-2).map((e) => e.event)).toEqual(['panes_reaped', 'saga_completed'])
  })

  it('turns a drain decision into pool_drained or pool_not_last', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const a = rig.coordinator.startSaga({ cmd: 'drain_pool_if_last', label: 'p1' })
    const b = rig.coordinator.startSaga({ cmd: 'drain_pool_if_last', label: 'p2' })
    rig.coordinator.handleReport({
      cmd: 'report_pool_drain_decision',
      label: 'p1',
      was_last: true,
      saga_id: a,
    })
    rig.coordinator.handleReport({
      cmd: 'report_pool_drain_decision',
      label: 'p2',
      was_last: false,
      saga_id: b,
    })
    const outcomes = rig.events.filter((e) => e.event === 'pool_drained' || e.event === 'pool_not_last')
    expect(outcomes.map((e) => ({ ...e, version: 0 }))).toEqual([
      { event: 'pool_drained', label: 'p1', saga_id: a, version: 0 },
      { event: 'pool_not_last', label: 'p2', saga_id: b, version: 0 },
    ])
  })

  it('fails a saga with the reason the host reported', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    rig.coordinator.handleReport({ cmd: 'report_saga_action_failed', saga_id: id, reason: 'pool is full' })
    expect(rig.failures()).toEqual([{ saga_id: id, reason: 'pool is full' }])
    expect(rig.coordinator.totals()).toEqual({
      started: 1,
      completed: 0,
      failed: 1,
      inFlight: 0,
      lateReports: 0,
    })
  })

  it('ignores and counts reports for unknown sagas and reports of the wrong kind', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    expect(rig.coordinator.handleReport({ cmd: 'report_panes_reaped', label: 'p', saga_id: id })).toBe(false)
    expect(rig.coordinator.handleReport({ cmd: 'report_pool_window_added', label: 'w', saga_id: 99 })).toBe(
      false,
    )
    expect(rig.coordinator.stats()).toMatchObject({ ignoredReports: 2, inFlight: 1 })
  })
})

describe('SagaCoordinator timeouts', () => {
  it('fails a saga with "saga timeout" 5 s after its command was issued and purges its frame', () => {
    const rig = makeSagaRig()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    expect(rig.pipe.snapshot().pending).toBe(1)
    rig.clock.advance(4_999)
    expect(rig.failures()).toEqual([])
    rig.clock.advance(1)
    expect(rig.failures()).toEqual([{ saga_id: id, reason: 'saga timeout' }])
    expect(rig.pipe.snapshot().pending).toBe(0)
  })

  it('honours a custom sagaTimeoutMs', () => {
    const rig = makeSagaRig({ coordinator: { sagaTimeoutMs: 250 } })
    rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    rig.clock.advance(250)
    expect(rig.failures()).toHaveLength(1)
  })

  it('counts the timeout from the start, time spent waiting for the in-flight window included', async () => {
    const rig = makeSagaRig({ pipe: { maxInFlight: 1 } })
    await rig.connect()
    burstSagas(rig.coordinator, 2)
    await settle()
    expect(rig.written()).toEqual([1])
    rig.clock.advance(3_000)
    rig.coordinator.handleReport({ cmd: 'report_pool_window_added', label: 'w', saga_id: 1 })
    await rig.ackAll()
    expect(rig.written()).toEqual([1, 2])
    rig.clock.advance(1_999)
    expect(rig.terminalsOf(2)).toEqual([])
    rig.clock.advance(1)
    expect(rig.failures()).toEqual([{ saga_id: 2, reason: 'saga timeout' }])
  })

  it('ignores and counts a report that arrives after the timeout', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    rig.clock.advance(5_000)
    expect(rig.coordinator.handleReport({ cmd: 'report_pool_window_added', label: 'w', saga_id: id })).toBe(
      false,
    )
    expect(rig.terminalsOf(id)).toHaveLength(1)
    expect(rig.coordinator.stats().lateTerminals).toBe(1)
  })

  it('does not time out a saga that completed, and leaves no timer behind for long', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    rig.coordinator.handleReport({ cmd: 'report_pool_window_added', label: 'w', saga_id: id })
    rig.clock.advance(10_000)
    expect(rig.terminalsOf(id).map((e) => e.event)).toEqual(['saga_completed'])
    expect(rig.clock.pendingTimers).toBe(0)
  })
})

describe('SagaCoordinator and HostPipe failures', () => {
  it('closes a saga HostPipe failed on overflow without a second terminal', async () => {
    const rig = makeSagaRig({ pipe: { capacity: 2 } })
    burstSagas(rig.coordinator, 3)
    await settle()
    expect(rig.failures()).toEqual([{ saga_id: 1, reason: REASON_OVERFLOW }])
    expect(rig.coordinator.totals()).toEqual({
      started: 3,
      completed: 0,
      failed: 1,
      inFlight: 2,
      lateReports: 0,
    })
    rig.clock.advance(5_000)
    expect(rig.terminalsOf(1)).toHaveLength(1)
    expect(rig.failures().map((f) => f.saga_id)).toEqual([1, 2, 3])
  })

  it('closes sagas HostPipe failed on expiry', async () => {
    const rig = makeSagaRig({ coordinator: { sagaTimeoutMs: 60_000 } })
    burstSagas(rig.coordinator, 2)
    rig.clock.advance(30_000)
    await settle()
    expect(rig.failures()).toEqual([
      { saga_id: 1, reason: REASON_EXPIRED },
      { saga_id: 2, reason: REASON_EXPIRED },
    ])
    expect(rig.coordinator.totals().inFlight).toBe(0)
    rig.clock.advance(60_000)
    expect(rig.failures()).toHaveLength(2)
  })

  it('ignores the report of a saga whose host went away before acking it', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    rig.pipe.clearWriter()
    expect(rig.failures()).toEqual([{ saga_id: id, reason: REASON_BEFORE_ACK }])
    rig.coordinator.handleReport({ cmd: 'report_pool_window_added', label: 'w', saga_id: id })
    expect(rig.terminalsOf(id)).toHaveLength(1)
    expect(rig.coordinator.stats().lateTerminals).toBe(1)
  })

  it('keeps a saga open when a write fails: HostPipe keeps the frame and delivers it later', async () => {
    const rig = makeSagaRig()
    const w = await rig.connect({ acks: false })
    w.failNext = 1
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    expect(rig.failures()).toEqual([])
    expect(rig.pipe.snapshot().pending).toBe(1)
    const w2 = await rig.connect({ acks: false })
    expect(w2.parsed().map((f) => f.saga_id)).toEqual([id])
  })

  it('fails a saga whose command HostPipe refuses outright', async () => {
    const rig = makeSagaRig()
    rig.pipe.dispose()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    expect(rig.failures()).toEqual([
      { saga_id: id, reason: 'host pipe refused the command: host pipe is disposed' },
    ])
  })

  it('cancels a saga in HostPipe when it ends, so a late reconnect never delivers it', async () => {
    const rig = makeSagaRig()
    rig.coordinator.startSaga({ cmd: 'reap_panes', label: 'p1' })
    rig.coordinator.handleReport({ cmd: 'report_saga_action_failed', saga_id: 1, reason: 'nope' })
    expect(rig.pipe.snapshot().pending).toBe(0)
    const w = await rig.connect()
    expect(w.lines).toEqual([])
  })
})

describe('SagaCoordinator: commands beyond the in-flight window', () => {
  it('holds a burst bigger than the window in the pipe while the host is connected, dropping none', async () => {
    const rig = makeSagaRig({ pipe: { maxInFlight: 8, capacity: 4 } })
    await rig.connect()
    burstSagas(rig.coordinator, 50)
    await settle()
    expect(rig.written()).toHaveLength(8)
    expect(rig.pipe.snapshot().pending).toBe(42)
    for (let i = 0; i < 10; i++) {
      for (const id of rig.written().slice(-8))
        rig.coordinator.handleReport({ cmd: 'report_pool_window_added', label: 'w', saga_id: id })
      await rig.ackAll()
    }
    expect(rig.written()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(rig.pipe.snapshot().counters.droppedOverflow).toBe(0)
    expect(rig.coordinator.totals()).toMatchObject({ started: 50, completed: 50, failed: 0, inFlight: 0 })
  })

  it('fills and overflows the outage buffer at once when the host is away (stop-host then burst 100)', async () => {
    const rig = makeSagaRig()
    burstSagas(rig.coordinator, 100)
    await settle()
    const s = rig.pipe.snapshot()
    expect(s.pending).toBe(64)
    expect(s.counters.droppedOverflow).toBe(36)
    expect(rig.failures()).toEqual(
      Array.from({ length: 36 }, (_, i) => ({ saga_id: i + 1, reason: REASON_OVERFLOW })),
    )
    expect(rig.coordinator.stats()).toMatchObject({ inFlight: 64, failed: 36 })
  })

  it('turns the waiting commands into the outage buffer when the host goes away, oldest dropped first', async () => {
    const rig = makeSagaRig({ pipe: { maxInFlight: 4, capacity: 3 } })
    await rig.connect()
    burstSagas(rig.coordinator, 10)
    await settle()
    expect(rig.pipe.snapshot().pending).toBe(6)
    rig.pipe.clearWriter()
    await settle()
    expect(rig.pipe.snapshot().pending).toBe(3)
    expect(rig.failures()).toEqual([
      ...[1, 2, 3, 4].map((saga_id) => ({ saga_id, reason: REASON_BEFORE_ACK })),
      ...[5, 6, 7].map((saga_id) => ({ saga_id, reason: REASON_OVERFLOW })),
    ])
    const w = await rig.connect()
    expect(w.parsed().map((f) => f.saga_id)).toEqual([8, 9, 10])
  })

  it('fails waiting sagas with "saga timeout" when a connected host stops taking commands', async () => {
    const rig = makeSagaRig({ pipe: { maxInFlight: 2 } })
    await rig.connect()
    burstSagas(rig.coordinator, 5)
    await settle()
    rig.clock.advance(5_000)
    expect(
      rig
        .failures()
        .map((f) => f.saga_id)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5])
    expect(new Set(rig.failures().map((f) => f.reason))).toEqual(new Set(['saga timeout']))
    expect(rig.coordinator.stats()).toMatchObject({ inFlight: 0 })
    expect(rig.pipe.snapshot().pending).toBe(0)
  })

  it('refuses a saga with QUEUE_FULL once maxQueued commands wait, starting and sending nothing', async () => {
    const rig = makeSagaRig({ pipe: { maxInFlight: 1, maxQueued: 2 } })
    await rig.connect()
    burstSagas(rig.coordinator, 3)
    await settle()
    expect(() => rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })).toThrow(
      expect.objectContaining({ code: 'QUEUE_FULL' }),
    )
    expect(rig.coordinator.totals()).toMatchObject({ started: 3, inFlight: 3, failed: 0 })
    expect(rig.events.filter((e) => e.event === 'saga_started')).toHaveLength(3)
  })
})

describe('SagaCoordinator dispose', () => {
  it('fails every open saga once, clears its timers and stops listening', async () => {
    const rig = makeSagaRig({ pipe: { maxInFlight: 1 } })
    await rig.connect()
    burstSagas(rig.coordinator, 3)
    await settle()
    rig.coordinator.dispose()
    expect(rig.failures()).toEqual(
      [1, 2, 3].map((id) => ({ saga_id: id, reason: 'saga coordinator disposed' })),
    )
    expect(rig.clock.pendingTimers).toBe(0)
    expect(rig.bus.listenerCount).toBe(1) // the rig's own recorder
    // The pipe losing a frame of an ended saga would count as a late terminal if it still listened.
    const lateBefore = rig.coordinator.stats().lateTerminals
    await rig.ackAll() // room for one more command in flight
    await rig.pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    await settle()
    const pipeFailedBefore = rig.pipe.snapshot().counters.sagaFailed
    rig.pipe.clearWriter()
    expect(rig.pipe.snapshot().counters.sagaFailed).toBe(pipeFailedBefore + 1)
    expect(rig.failures().filter((f) => f.saga_id === 2)).toHaveLength(1)
    expect(rig.coordinator.stats().lateTerminals).toBe(lateBefore)
    expect(() => rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })).toThrow(/disposed/)
    rig.coordinator.dispose()
  })
})

describe('SagaCoordinator exactly-once terminals', () => {
  it('ends every saga with exactly one terminal event, whatever races with what', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('start' as const), n: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('report' as const), pick: fc.nat(), ok: fc.boolean() }),
      fc.record({ kind: fc.constant('ack' as const) }),
      fc.record({ kind: fc.constant('connect' as const) }),
      fc.record({ kind: fc.constant('disconnect' as const) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 4_000 }) }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const rig = makeSagaRig({ pipe: { maxInFlight: 3, capacity: 4 } })
        const check = () => {
          const { started, completed, failed, inFlight } = rig.coordinator.totals()
          expect(completed + failed + inFlight).toBe(started)
          for (let id = 1; id <= started; id++) expect(rig.terminalsOf(id).length).toBeLessThanOrEqual(1)
          // Drop-oldest bounds the outage buffer; a connected pipe holds what waits for room.
          const pipe = rig.pipe.snapshot()
          if (!pipe.connected) expect(pipe.pending).toBeLessThanOrEqual(4)
        }
        for (const o of ops) {
          if (o.kind === 'start') burstSagas(rig.coordinator, o.n)
          else if (o.kind === 'report') {
            const started = rig.coordinator.totals().started
            if (started > 0) {
              const id = (o.pick % started) + 1
              rig.coordinator.handleReport(
                o.ok
                  ? { cmd: 'report_pool_window_added', label: 'w', saga_id: id }
                  : { cmd: 'report_saga_action_failed', saga_id: id, reason: 'host said no' },
              )
            }
          } else if (o.kind === 'ack') await rig.ackAll()
          else if (o.kind === 'connect') await rig.connect()
          else if (o.kind === 'disconnect') rig.pipe.clearWriter()
          else rig.clock.advance(o.ms)
          await settle()
          check()
        }
        // Eventually every saga ends, exactly once.
        for (let i = 0; i < 10; i++) {
          rig.clock.advance(30_000)
          await settle()
        }
        check()
        const { started } = rig.coordinator.totals()
        for (let id = 1; id <= started; id++) expect(rig.terminalsOf(id)).toHaveLength(1)
        expect(rig.coordinator.totals().inFlight).toBe(0)
      }),
      { numRuns: 150 },
    )
  })
})
