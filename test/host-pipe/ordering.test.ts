import { describe, expect, it } from 'vitest'
import { MemoryWriter, settle } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

describe('ordering (behaviour 7)', () => {
  it('never has two writes in flight on one writer, and keeps call order under concurrent callers', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    const session = await pipe.setWriter(w)
    w.hold()
    const sends: Promise<void>[] = []
    for (let i = 1; i <= 20; i++) {
      sends.push(pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: i }))
      if (i % 5 === 0) sends.push(pipe.sendEventForSession(session, { event: 'pong', nonce: i, version: i }))
    }
    while (w.heldCount > 0) {
      expect(w.heldCount).toBe(1)
      w.releaseOne()
      await settle()
    }
    await Promise.all(sends)
    expect(w.maxConcurrentWrites).toBe(1)
    const order = w
      .parsed()
      .map((f) => (f.kind === 'command' ? `c${String(f.saga_id)}` : `e${String(f.nonce)}`))
    const expected: string[] = []
    for (let i = 1; i <= 20; i++) {
      expected.push(`c${i}`)
      if (i % 5 === 0) expected.push(`e${i}`)
    }
    expect(order).toEqual(expected)
  })

  it('numbers commands with increasing seqs in write order', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    await Promise.all([1, 2, 3].map((id) => pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })))
    await pipe.setWriter(w)
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 4 })
    expect(w.parsed().map((f) => [f.seq, f.saga_id])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ])
  })

  it('queues sends made during a drain behind the drained frames', async () => {
    const { pipe } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const w = new MemoryWriter()
    w.hold()
    const drained = pipe.setWriter(w)
    const late = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    w.releaseAll()
    await Promise.all([drained, late])
    expect(w.parsed().map((f) => f.saga_id)).toEqual([1, 2])
  })

  it('resolves sendCommand only once the frame is written', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    w.hold()
    let done = false
    const send = pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 }).then(() => (done = true))
    await settle()
    expect(done).toBe(false)
    w.releaseOne()
    await send
    expect(done).toBe(true)
  })
})
