import { describe, expect, it } from 'vitest'
import { REASON_SAGA_TIMEOUT } from '../../src/main/launcher/saga-failure-reasons'
import { makeSagaRig, RIG_WALL_EPOCH } from '../support/launcher-harness'
import { settle } from '../support/memory-writer'

const custom = (name: string, input: Record<string, unknown> = {}) => ({
  cmd: 'custom' as const,
  name,
  input,
})

describe('per-saga timeouts on one timer (ARCHITECTURE §9 timeoutMs)', () => {
  it('fails each saga at its own timeout, whatever the order they were issued in', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const long = rig.coordinator.startSaga(custom('a'), { timeoutMs: 3_000 })
    const short = rig.coordinator.startSaga(custom('b'), { timeoutMs: 1_000 })
    const middle = rig.coordinator.startSaga(custom('c'), { timeoutMs: 2_000 })
    rig.clock.advance(1_000)
    expect(rig.failures()).toEqual([{ saga_id: short, reason: REASON_SAGA_TIMEOUT }])
    rig.clock.advance(1_000)
    expect(rig.failures().map((f) => f.saga_id)).toEqual([short, middle])
    rig.clock.advance(1_000)
    expect(rig.failures().map((f) => f.saga_id)).toEqual([short, middle, long])
  })

  it('stamps each command with its own deadline and flattens the input beside the envelope', async () => {
    const rig = makeSagaRig()
    const w = await rig.connect()
    const issuedAt = rig.clock.now()
    rig.coordinator.startSaga(custom('add', { a: 2, b: 3 }), { timeoutMs: 750 })
    await settle()
    expect(w.lines[w.lines.length - 1]).toBe(
      `{"kind":"command","seq":1,"cmd":"add","saga_id":1,"deadline":${RIG_WALL_EPOCH + issuedAt + 750},"a":2,"b":3}`,
    )
  })

  it('tells the saga’s starter when its timeout passed and how it ended', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const seen: string[] = []
    const id = rig.coordinator.startSaga(custom('a'), {
      timeoutMs: 500,
      onTimeout: () => seen.push('timeout'),
      onEnd: (end) => seen.push(end.ok ? 'ok' : `failed: ${end.reason}`),
    })
    rig.clock.advance(500)
    expect(seen).toEqual(['timeout', `failed: ${REASON_SAGA_TIMEOUT}`])
    expect(rig.failures()).toEqual([{ saga_id: id, reason: REASON_SAGA_TIMEOUT }])
  })

  it('completes a custom saga with report_result and hands its output to the starter', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const ends: unknown[] = []
    const id = rig.coordinator.startSaga(custom('add', { a: 1, b: 2 }), { onEnd: (e) => ends.push(e) })
    await settle()
    expect(rig.coordinator.handleReport({ cmd: 'report_result', saga_id: id, output: { sum: 3 } })).toBe(true)
    expect(ends).toEqual([{ ok: true, sagaId: id, output: { sum: 3 } }])
    expect(rig.coordinator.totals()).toMatchObject({ completed: 1, inFlight: 0 })
  })

  it('ignores a report_result for a built-in saga (the wrong kind of report)', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const id = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    await settle()
    expect(rig.coordinator.handleReport({ cmd: 'report_result', saga_id: id, output: {} })).toBe(false)
    expect(rig.coordinator.stats()).toMatchObject({ ignoredReports: 1, inFlight: 1 })
  })

  it('refuses a timeoutMs that is not a positive integer', () => {
    const rig = makeSagaRig()
    expect(() => rig.coordinator.startSaga(custom('a'), { timeoutMs: 0 })).toThrow(/timeoutMs/)
    expect(() => rig.coordinator.startSaga(custom('a'), { timeoutMs: 1.5 })).toThrow(/timeoutMs/)
  })

  it('fires sagas of different lengths earliest first, skips ended ones and leaves no timer behind', async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const ids = [300, 100, 300, 200, 100].map((timeoutMs, i) =>
      rig.coordinator.startSaga(custom(`s${i}`), { timeoutMs }),
    )
    rig.coordinator.cancelSaga(ids[2]!)
    const timedOut = () =>
      rig.failures().flatMap((f) => (f.reason === REASON_SAGA_TIMEOUT ? [f.saga_id] : []))
    rig.clock.advance(150)
    expect(timedOut()).toEqual([ids[1], ids[4]])
    rig.clock.advance(150)
    expect(timedOut()).toEqual([ids[1], ids[4], ids[3], ids[0]])
    expect(rig.coordinator.totals().inFlight).toBe(0)
    expect(rig.clock.pendingTimers).toBe(0)
  })
})

describe('when a saga ended, for its latency', () => {
  it("is when the host's report arrived, for a result and a failure alike, and when it ends otherwise", async () => {
    const rig = makeSagaRig()
    await rig.connect()
    const ended: Array<{ id: number; endedAt: number | undefined }> = []
    rig.coordinator.onDidEndSaga((s) => ended.push({ id: s.id, endedAt: s.endedAt }))
    const completed = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    const failed = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' })
    const timedOut = rig.coordinator.startSaga({ cmd: 'spawn_pool_window' }, { timeoutMs: 50 })
    await settle()
    const arrivedAt = rig.clock.now()
    rig.clock.advance(7)
    rig.coordinator.handleReport(
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: completed },
      arrivedAt,
    )
    rig.coordinator.handleReport(
      { cmd: 'report_saga_action_failed', saga_id: failed, reason: 'no' },
      arrivedAt,
    )
    rig.clock.advance(50)
    expect(ended).toEqual([
      { id: completed, endedAt: arrivedAt },
      { id: failed, endedAt: arrivedAt },
      { id: timedOut, endedAt: arrivedAt + 50 },
    ])
  })
})
