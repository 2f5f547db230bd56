import { describe, expect, it } from 'vitest'
import { MemoryWriter, settle } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

describe('write failures (behaviours 5 and 6)', () => {
  it('keeps the rest buffered in order with the failed frame at the front when a drain fails midway', async () => {
    const { pipe } = makePipe()
    for (let id = 1; id <= 5; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    const w = new MemoryWriter()
    w.hold()
    const drained = pipe.setWriter(w)
    w.releaseOne()
    await settle()
    w.releaseOne()
    await settle()
    w.failOne()
    const session = await drained
    expect(session).toBe(1)
    expect(w.parsed().map((f) => f.saga_id)).toEqual([1, 2])
    expect(pipe.snapshot()).toMatchObject({ connected: false, pending: 3 })
    const w2 = new MemoryWriter()
    expect(await pipe.setWriter(w2)).toBe(2)
    expect(w2.parsed().map((f) => f.saga_id)).toEqual([3, 4, 5])
  })

  it('drops the oldest frame on overflow also when it is a frame whose write failed (no retry asked)', async () => {
    const { pipe, sagaFailures } = makePipe({ capacity: 2 })
    const w = new MemoryWriter()
    w.failAll = true
    await pipe.setWriter(w, { acks: true })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 }).catch(() => undefined)
    expect(pipe.snapshot()).toMatchObject({ connected: false, pending: 1 })
    for (let id = 2; id <= 4; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    expect(pipe.snapshot().pending).toBe(2)
    expect(sagaFailures().map((f) => f.saga_id)).toEqual([1, 2])
  })

  it('resolves setWriter with the new session id even when the very first drain write fails', async () => {
    const { pipe } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const w = new MemoryWriter()
    w.failAll = true
    await expect(pipe.setWriter(w)).resolves.toBe(1)
    expect(pipe.snapshot().counters.writeFailures).toBe(1)
  })

  it('clears the current writer, buffers the frame and rejects on a direct write failure', async () => {
    const { pipe, clock } = makePipe()
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    w.failNext = 1
    await expect(pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })).rejects.toMatchObject({
      code: 'WRITE_FAILED',
    })
    expect(pipe.snapshot()).toMatchObject({ connected: false, pending: 1, expiresAt: clock.now() + 30_000 })
    const w2 = new MemoryWriter()
    await pipe.setWriter(w2)
    expect(w2.parsed().map((f) => f.saga_id)).toEqual([1])
  })

  it('re-sends the frame through the writer that replaced the failing one, and still rejects', async () => {
    const { pipe } = makePipe()
    const old = new MemoryWriter()
    await pipe.setWriter(old)
    old.hold()
    const send = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const fresh = new MemoryWriter()
    await pipe.setWriter(fresh)
    old.failOne()
    await expect(send).rejects.toMatchObject({ code: 'WRITE_FAILED' })
    await settle()
    expect(fresh.parsed()).toEqual([{ kind: 'command', seq: 2, cmd: 'spawn_pool_window', saga_id: 1 }])
    expect(pipe.snapshot()).toMatchObject({ connected: true, pending: 0 })
  })

  it('re-sends in call order with frames buffered behind it', async () => {
    const { pipe } = makePipe()
    const old = new MemoryWriter()
    await pipe.setWriter(old)
    old.hold()
    const first = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const second = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    pipe.clearWriter()
    await second
    const fresh = new MemoryWriter()
    fresh.hold()
    const drained = pipe.setWriter(fresh)
    old.failOne()
    await expect(first).rejects.toMatchObject({ code: 'WRITE_FAILED' })
    fresh.releaseAll()
    await drained
    await settle()
    expect(fresh.parsed().map((f) => f.saga_id)).toEqual([2, 1])
    expect(pipe.snapshot().pending).toBe(0)
  })

  it('puts a frame whose write failed after its writer was cleared back at its place in the buffer', async () => {
    const { pipe } = makePipe()
    const old = new MemoryWriter()
    await pipe.setWriter(old)
    old.hold()
    const first = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    pipe.clearWriter()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    old.failOne()
    await expect(first).rejects.toMatchObject({ code: 'WRITE_FAILED' })
    const fresh = new MemoryWriter()
    await pipe.setWriter(fresh)
    expect(fresh.parsed().map((f) => f.saga_id)).toEqual([1, 2])
  })

  it('counts a frame that was written before its writer was cleared as delivered without acks', async () => {
    const { pipe, events } = makePipe()
    const old = new MemoryWriter()
    await pipe.setWriter(old)
    old.hold()
    const send = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    pipe.clearWriter()
    old.releaseOne()
    await send
    expect(events).toEqual([])
    expect(pipe.snapshot()).toMatchObject({ pending: 0, counters: { sent: 1 } })
  })

  it('drops an event whose write failed, disconnects, and rejects WRITE_FAILED', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    const session = await pipe.setWriter(w)
    w.failNext = 1
    await expect(
      pipe.sendEventForSession(session, { event: 'pong', nonce: 1, version: 1 }),
    ).rejects.toMatchObject({ code: 'WRITE_FAILED' })
    expect(pipe.snapshot()).toMatchObject({ connected: false, pending: 0 })
  })

  it('treats a writer that throws synchronously like one that rejects', async () => {
    const { pipe } = makePipe()
    await pipe.setWriter({
      write() {
        throw new Error('boom')
      },
    })
    await expect(pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })).rejects.toMatchObject({
      code: 'WRITE_FAILED',
    })
    expect(pipe.snapshot()).toMatchObject({ connected: false, pending: 1 })
  })

  it('rejects a probe still queued when its writer goes away, and never sends it later', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    w.hold()
    const busy = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const probe = pipe.trySendCommandNoBuffer({ cmd: 'probe_ui_thread', nonce: 7 })
    pipe.clearWriter()
    await expect(probe).rejects.toMatchObject({ code: 'HOST_NOT_CONNECTED' })
    w.releaseAll()
    await busy
    const w2 = new MemoryWriter()
    await pipe.setWriter(w2)
    expect(w2.lines).toEqual([])
  })
})
