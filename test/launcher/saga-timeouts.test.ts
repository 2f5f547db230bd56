import { describe, expect, it } from 'vitest'
import { REASON_SAGA_TIMEOUT } from '../../src/main/launcher/saga-coordinator'
import { SagaDeadlineHeap } from '../../src/main/launcher/saga-deadline-heap'
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
    expect(ends).toEqual([{ ok: true, output: { sum: 3 } }])
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
})

describe('SagaDeadlineHeap', () => {
  it('pops entries earliest first, ties in saga order', () => {
    const heap = new SagaDeadlineHeap()
    for (const [deadline, sagaId] of [
      [5, 1],
      [3, 2],
      [9, 3],
      [3, 4],
      [1, 5],
    ] as const)
      heap.push({ deadline, sagaId })
    const order: number[] = []
    for (let e = heap.pop(); e; e = heap.pop()) order.push(e.sagaId)
    expect(order).toEqual([5, 2, 4, 1, 3])
  })

  it('compacts stale entries once they outnumber the live ones, so memory follows the open sagas', () => {
    const heap = new SagaDeadlineHeap()
    for (let i = 1; i <= 200; i++) heap.push({ deadline: 1_000 + i, sagaId: i })
    heap.compact((e) => e.sagaId > 190, 10)
    expect(heap.size).toBe(10)
    expect(heap.peek()).toEqual({ deadline: 1_191, sagaId: 191 })
  })
})
