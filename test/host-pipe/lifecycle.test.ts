import { describe, expect, it } from 'vitest'
import { HostPipe, REASON_DISPOSED } from '../../src/main/host-pipe'
import type { HostPipeSnapshot } from '../../src/shared/diagnostics'
import { MemoryWriter } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'
import { takeUnexpectedErrors } from '../support/unexpected-errors'

describe('observation and lifetime (behaviour 12, when things settle)', () => {
  it('calls change listeners synchronously on connect, buffer, drain, drop, ack and disconnect', async () => {
    const { pipe } = makePipe({ capacity: 1 })
    const seen: HostPipeSnapshot[] = []
    const off = pipe.on('change', (s) => seen.push(s))
    void pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    expect(seen.at(-1)).toMatchObject({ pending: 1 })
    void pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    expect(seen.at(-1)).toMatchObject({ pending: 1, counters: { droppedOverflow: 1 } })
    const connecting = pipe.setWriter(new MemoryWriter(), { acks: true })
    expect(seen.at(-1)).toMatchObject({ connected: true })
    await connecting
    pipe.ack(1)
    expect(seen.at(-1)?.counters.acked).toBe(1)
    pipe.clearWriter()
    expect(seen.at(-1)).toMatchObject({ connected: false })
    const count = seen.length
    off()
    pipe.clearWriter()
    void pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 3 })
    expect(seen).toHaveLength(count)
  })

  it('notifies a burst of acked writes once, after its last command, with the final count', async () => {
    const { pipe } = makePipe()
    await pipe.setWriter(new MemoryWriter(), { acks: true })
    const seen: HostPipeSnapshot[] = []
    pipe.on('change', (s) => seen.push(s))
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: i + 1 })),
    )
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ inFlight: 5, counters: { sent: 5 } })
  })

  it('keeps every counter monotonic', async () => {
    const { pipe, clock } = makePipe({ capacity: 2 })
    let last = pipe.snapshot().counters
    let changes = 0
    // An assertion failing in here reaches the runner: HostPipe reports a throwing listener to
    // onUnexpectedError, and the test setup fails the test on any report.
    pipe.on('change', (s) => {
      changes++
      for (const [k, v] of Object.entries(s.counters))
        expect(v).toBeGreaterThanOrEqual(last[k as keyof typeof last])
      last = s.counters
    })
    for (let i = 1; i <= 5; i++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: i })
    const w = new MemoryWriter()
    await pipe.setWriter(w, { acks: true })
    pipe.ack(5)
    pipe.clearWriter()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 9 })
    clock.advance(30_000)
    expect(changes).toBeGreaterThanOrEqual(10)
    expect(last.droppedExpired).toBe(1)
  })

  it('reports a throwing change listener as unexpected, and the other listeners still run', async () => {
    const { pipe } = makePipe()
    const bug = new Error('listener bug')
    const heard: number[] = []
    pipe.on('change', () => {
      throw bug
    })
    pipe.on('change', (s) => heard.push(s.pending))
    await expect(pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })).resolves.toBeUndefined()
    expect(heard).toEqual([1])
    expect(takeUnexpectedErrors()).toEqual([bug])
  })

  it('leaves no timer behind after dispose and fails what it still held', async () => {
    const { pipe, clock, sagaFailures } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    expect(clock.pendingTimers).toBe(1)
    pipe.dispose()
    expect(clock.pendingTimers).toBe(0)
    expect(sagaFailures()).toEqual([{ saga_id: 1, reason: REASON_DISPOSED }])
    pipe.dispose()
    await expect(pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })).rejects.toMatchObject({
      code: 'HOST_NOT_CONNECTED',
    })
    await expect(pipe.setWriter(new MemoryWriter())).rejects.toMatchObject({ code: 'HOST_NOT_CONNECTED' })
  })

  it('fails in-flight sagas when disposed while connected', async () => {
    const { pipe, sagaFailures, clock } = makePipe()
    await pipe.setWriter(new MemoryWriter(), { acks: true })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    pipe.dispose()
    expect(sagaFailures()).toEqual([{ saga_id: 1, reason: 'host disconnected before ack' }])
    expect(clock.pendingTimers).toBe(0)
  })

  it('refuses options that make no sense', () => {
    const base = { emit() {}, nextVersion: () => 1 }
    expect(() => new HostPipe({ ...base, capacity: 0 })).toThrow(/capacity must be a positive integer/)
    expect(() => new HostPipe({ ...base, maxInFlight: 1.5 })).toThrow(RangeError)
    expect(() => new HostPipe({ ...base, disconnectTimeoutMs: -1 })).toThrow(RangeError)
  })

  it('works on the system clock by default', async () => {
    const pipe = new HostPipe({ emit() {}, nextVersion: () => 1 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const s = pipe.snapshot()
    expect(s.expiresAt! - Date.now()).toBeGreaterThan(29_000)
    pipe.dispose()
    expect(pipe.snapshot().expiresAt).toBeNull()
  })

  it('reports its configuration and state in the snapshot', async () => {
    const { pipe } = makePipe({ capacity: 8 })
    expect(pipe.snapshot()).toEqual({
      connected: false,
      sessionId: 0,
      pending: 0,
      capacity: 8,
      inFlight: 0,
      disconnectedAt: null,
      expiresAt: null,
      counters: {
        sent: 0,
        acked: 0,
        buffered: 0,
        drained: 0,
        droppedOverflow: 0,
        droppedExpired: 0,
        failedBeforeAck: 0,
        sagaFailed: 0,
        writeFailures: 0,
        staleSession: 0,
        ignoredAcks: 0,
        cancelled: 0,
      },
    })
    expect(() => pipe.on('nope' as 'change', () => {})).toThrow(TypeError)
  })
})
