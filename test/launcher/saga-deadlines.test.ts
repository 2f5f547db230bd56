import { describe, expect, it } from 'vitest'
import { REASON_BEFORE_ACK } from '../../src/main/host-pipe'
import { REASON_NO_REPORT } from '../../src/main/launcher/host-verdicts'
import { SAGA_TIMEOUT_MS } from '../../src/main/launcher/saga-coordinator'
import { REASON_SAGA_TIMEOUT } from '../../src/main/launcher/saga-failure-reasons'
import { makeSagaRig, RIG_WALL_EPOCH } from '../support/launcher-harness'
import { settle } from '../support/memory-writer'

/** A rig whose host registered with (or without) feature "deadline". */
function rigWith(deadlineAware: boolean, pipe: { capacity?: number; maxInFlight?: number } = {}) {
  let honours = deadlineAware
  const rig = makeSagaRig({ pipe, coordinator: { hostHonoursDeadlines: () => honours } })
  return { ...rig, setHonours: (v: boolean) => (honours = v) }
}

describe('saga deadlines on the wire (ARCHITECTURE §8)', () => {
  it('stamps the command with the wall-clock moment its timeout fires, fixed while it waits in the buffer', async () => {
    const rig = rigWith(true)
    const issuedAt = rig.clock.now()
    rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    rig.clock.advance(3_000)
    const w = await rig.connect()
    expect(w.parsed()).toEqual([
      {
        kind: 'command',
        seq: 1,
        cmd: 'spawn_pool_window',
        saga_id: 1,
        deadline: RIG_WALL_EPOCH + issuedAt + SAGA_TIMEOUT_MS,
      },
    ])
  })
})

describe('saga timeout with a deadline-aware host', () => {
  it('leaves a saga in flight to the host: the host’s report ends it, even after the timeout', async () => {
    const rig = rigWith(true)
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    rig.clock.advance(SAGA_TIMEOUT_MS + 1)
    expect(rig.terminalsOf(id)).toEqual([])
    expect(rig.coordinator.stats()).toMatchObject({ inFlight: 1, awaitingHost: 1 })
    expect(rig.coordinator.oldestOverdueDeadline()).toBe(1_000_000 + SAGA_TIMEOUT_MS)
    rig.coordinator.handleReport({
      cmd: 'report_saga_action_failed',
      saga_id: id,
      reason: 'deadline exceeded',
    })
    await rig.ackAll()
    expect(rig.failures()).toEqual([{ saga_id: id, reason: 'deadline exceeded' }])
    expect(rig.coordinator.totals()).toMatchObject({ inFlight: 0, failed: 1, lateReports: 0 })
    expect(rig.coordinator.oldestOverdueDeadline()).toBeUndefined()
  })

  it('a saga left to the host ends with the host’s loss when the host goes away', async () => {
    const rig = rigWith(true)
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    rig.clock.advance(SAGA_TIMEOUT_MS)
    rig.pipe.clearWriter()
    await settle()
    expect(rig.failures()).toEqual([{ saga_id: id, reason: REASON_BEFORE_ACK }])
    expect(rig.coordinator.totals()).toMatchObject({ inFlight: 0, failed: 1 })
  })

  it('removes and fails a buffered saga at its timeout: it is never sent', async () => {
    const rig = rigWith(true)
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    rig.clock.advance(SAGA_TIMEOUT_MS)
    expect(rig.failures()).toEqual([{ saga_id: id, reason: REASON_SAGA_TIMEOUT }])
    const w = await rig.connect()
    expect(w.lines).toEqual([])
    expect(rig.pipe.snapshot().pending).toBe(0)
  })

  it('fails a saga its host acked without a report instead of waiting forever', async () => {
    const rig = rigWith(true)
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    rig.clock.advance(SAGA_TIMEOUT_MS)
    await rig.ackAll()
    expect(rig.failures()).toEqual([{ saga_id: id, reason: REASON_NO_REPORT }])
  })

  it('keeps AgentMux behaviour with a host without the feature: the timeout fails the saga, a later report is late', async () => {
    const rig = rigWith(false)
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    rig.clock.advance(SAGA_TIMEOUT_MS)
    expect(rig.failures()).toEqual([{ saga_id: id, reason: REASON_SAGA_TIMEOUT }])
    expect(rig.coordinator.handleReport({ cmd: 'report_pool_window_added', label: 'w', saga_id: id })).toBe(
      false,
    )
    expect(rig.coordinator.totals().lateReports).toBe(1)
    expect(rig.coordinator.stats().lateTerminals).toBe(1)
  })
})

describe('SagaCoordinator.cancelSaga', () => {
  it('fails a saga still in the backlog or the buffer at once, and nothing is ever sent', async () => {
    const rig = rigWith(true)
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    expect(rig.coordinator.cancelSaga(id)).toBe('failed')
    expect(rig.failures()).toEqual([{ saga_id: id, reason: 'cancelled' }])
    expect(rig.coordinator.cancelSaga(id)).toBe('not-open')
    const w = await rig.connect()
    expect(w.lines).toEqual([])
  })

  it('sends cancel_saga to a deadline-aware host with the command in flight, and lets its report decide', async () => {
    const rig = rigWith(true)
    const w = await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    expect(rig.coordinator.cancelSaga(id)).toBe('sent-to-host')
    await settle()
    expect(w.lines.at(-1)).toBe(`{"kind":"command","cmd":"cancel_saga","saga_id":${id}}`)
    expect(rig.terminalsOf(id)).toEqual([])
    // Past its timeout it still waits for the host.
    rig.clock.advance(SAGA_TIMEOUT_MS)
    expect(rig.terminalsOf(id)).toEqual([])
    rig.coordinator.handleReport({ cmd: 'report_saga_action_failed', saga_id: id, reason: 'cancelled' })
    expect(rig.failures()).toEqual([{ saga_id: id, reason: 'cancelled' }])
  })

  it('fails at once with a host without the feature (no cancel_saga is sent to it)', async () => {
    const rig = rigWith(false)
    const w = await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    expect(rig.coordinator.cancelSaga(id, 'caller gave up')).toBe('failed')
    await settle()
    expect(rig.failures()).toEqual([{ saga_id: id, reason: 'caller gave up' }])
    expect(w.parsed().map((f) => f.cmd)).toEqual(['spawn_pool_window'])
  })
})
