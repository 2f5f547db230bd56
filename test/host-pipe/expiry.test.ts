import { describe, expect, it } from 'vitest'
import { DISCONNECT_TIMEOUT_MS, REASON_EXPIRED } from '../../src/main/host-pipe'
import { MemoryWriter } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

const T = DISCONNECT_TIMEOUT_MS

describe('active expiry (behaviour 4)', () => {
  it('fails buffered sagas when the budget runs out even if nothing else is sent', async () => {
    const { pipe, clock, sagaFailures } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    clock.advance(T - 1)
    expect(sagaFailures()).toEqual([])
    clock.advance(1)
    expect(sagaFailures()).toEqual([
      { saga_id: 1, reason: REASON_EXPIRED },
      { saga_id: 2, reason: REASON_EXPIRED },
    ])
    expect(pipe.snapshot()).toMatchObject({ pending: 0, expiresAt: null })
    expect(pipe.snapshot().counters.droppedExpired).toBe(2)
  })

  it('runs the deadline from the moment the pipe lost its host', async () => {
    const { pipe, clock, sagaFailures } = makePipe()
    await pipe.setWriter(new MemoryWriter())
    pipe.clearWriter()
    const lostAt = clock.now()
    expect(pipe.snapshot()).toMatchObject({ disconnectedAt: lostAt, expiresAt: lostAt + T })
    clock.advance(T - 10)
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    clock.advance(10)
    expect(sagaFailures()).toEqual([{ saga_id: 1, reason: REASON_EXPIRED }])
  })

  it('starts a new deadline with the next frame buffered after an expiry', async () => {
    const { pipe, clock, sagaFailures } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    clock.advance(T)
    expect(pipe.snapshot().expiresAt).toBeNull()
    clock.advance(5_000)
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    expect(pipe.snapshot().expiresAt).toBe(clock.now() + T)
    clock.advance(T - 1)
    expect(sagaFailures().map((f) => f.saga_id)).toEqual([1])
    clock.advance(1)
    expect(sagaFailures().map((f) => f.saga_id)).toEqual([1, 2])
  })

  it('keeps the running deadline across a failed reconnect', async () => {
    const { pipe, clock, sagaFailures } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    const deadline = pipe.snapshot().expiresAt
    clock.advance(T / 2)
    const broken = new MemoryWriter()
    broken.failAll = true
    await pipe.setWriter(broken)
    expect(pipe.snapshot()).toMatchObject({ connected: false, pending: 2, expiresAt: deadline })
    clock.advance(T / 2)
    expect(sagaFailures().map((f) => f.saga_id)).toEqual([1, 2])
  })

  it('clears the deadline only when a drain completes', async () => {
    const { pipe, clock, events } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const w = new MemoryWriter()
    w.hold()
    const drained = pipe.setWriter(w)
    expect(pipe.snapshot().expiresAt).not.toBeNull()
    w.releaseAll()
    await drained
    expect(pipe.snapshot().expiresAt).toBeNull()
    clock.advance(T * 2)
    expect(events).toEqual([])
    expect(clock.pendingTimers).toBe(0)
  })

  it('bounds the wait of every frame by the timeout even with a flapping host', async () => {
    const { pipe, clock, sagaFailures } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const start = clock.now()
    // The host connects and dies mid-drain over and over: the deadline must not be reset.
    for (let i = 0; i < 10; i++) {
      clock.advance(T / 20)
      const w = new MemoryWriter()
      w.failAll = true
      await pipe.setWriter(w)
    }
    clock.advance(start + T - clock.now())
    expect(sagaFailures()).toEqual([{ saga_id: 1, reason: REASON_EXPIRED }])
  })
})
