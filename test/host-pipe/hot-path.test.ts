import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CallHead } from '../../src/main/host-pipe'
import type { HostPipeSnapshot } from '../../src/shared/diagnostics'
import { InstantMemoryWriter, settle } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

const spawn = (saga_id: number) => ({ cmd: 'spawn_pool_window' as const, saga_id })

describe('hot path: a writer that takes frames at once (HostWriter.writeOrWait)', () => {
  it('writes each command before sendCommand returns, without write(), and every send shares one settled promise', async () => {
    const { pipe } = makePipe()
    const w = new InstantMemoryWriter()
    await pipe.setWriter(w, { acks: true })
    const sends = [1, 2, 3].map((id) => pipe.sendCommand(spawn(id)))
    expect(w.parsed().map((f) => [f.seq, f.saga_id])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ])
    expect(w.instantWrites).toBe(3)
    expect(w.waitedWrites).toBe(0)
    expect(new Set(sends).size).toBe(1)
    await Promise.all(sends)
    expect(pipe.snapshot()).toMatchObject({ inFlight: 3, counters: { sent: 3 } })
  })

  it('writes every command as JSON.stringify plus the envelope would, flat or nested', async () => {
    const { pipe } = makePipe()
    const w = new InstantMemoryWriter()
    await pipe.setWriter(w, { acks: true })
    const flat = { cmd: 'reap_panes' as const, label: 'a"\\b\u0001é', saga_id: 4 }
    const nested = { cmd: 'render.page', saga_id: 5, args: { page: [1, 2], when: new Date(0) } }
    await pipe.sendCommand(flat)
    await pipe.sendCommand(nested)
    expect(w.lines).toEqual([
      '{"kind":"command","seq":1,' + JSON.stringify(flat).slice(1),
      '{"kind":"command","seq":2,' + JSON.stringify(nested).slice(1),
    ])
  })

  it("writes an app call's head and input as JSON.stringify writes the command they make together", async () => {
    const { pipe } = makePipe()
    const w = new InstantMemoryWriter()
    await pipe.setWriter(w, { acks: true })
    const number = fc.oneof(fc.integer(), fc.double())
    const input = fc.dictionary(
      fc.string().filter((k) => !['cmd', 'saga_id', 'deadline', '__proto__'].includes(k)),
      fc.oneof(number, fc.string(), fc.boolean(), fc.constant(null)),
    )
    const deadline = fc.option(number, { nil: undefined })
    fc.assert(
      fc.property(fc.string(), number, deadline, input, (name, sagaId, at, fields) => {
        w.lines.length = 0
        const head = new CallHead(name, sagaId, at)
        expect(pipe.postCommand(head, {}, fields)).toBeUndefined()
        // The input's members follow the head's (not a merged object's key order: its integer keys stay in place).
        const members = (value: object): string => JSON.stringify(value).slice(1, -1)
        const headJson = members({ cmd: name, saga_id: sagaId, deadline: at })
        const inputJson = members(fields)
        expect(w.lines).toHaveLength(1)
        expect(w.lines[0]!.replace(/^\{"kind":"command","seq":[1-9][0-9]*,/, '{')).toBe(
          '{' + headJson + (inputJson === '' ? '' : ',' + inputJson) + '}',
        )
      }),
    )
  })

  it('costs a caller nothing to catch a send written at once: catch gives back the same settled promise', async () => {
    const { pipe } = makePipe()
    await pipe.setWriter(new InstantMemoryWriter(), { acks: true })
    const sent = pipe.sendCommand(spawn(1))
    let caught = 0
    const chained = sent.catch(() => caught++)
    expect(chained).toBe(sent)
    await expect(chained).resolves.toBeUndefined()
    expect(caught).toBe(0)
    // Every other promise method is the standard one.
    expect(sent.then).toBe(Promise.prototype.then)
    expect(sent.finally).toBe(Promise.prototype.finally)
  })

  it('postCommand hands a command over without a promise: written now, or its refusal returned', async () => {
    const { pipe, sagaFailures } = makePipe({ maxPayloadBytes: 1024 })
    const w = new InstantMemoryWriter()
    await pipe.setWriter(w, { acks: true })
    expect(pipe.postCommand(spawn(1))).toBeUndefined()
    expect(w.lines).toHaveLength(1)
    const tooLarge = pipe.postCommand({ ...spawn(2), label: 'x'.repeat(2000) })
    expect(tooLarge?.code).toBe('PAYLOAD_TOO_LARGE')
    expect(w.lines).toHaveLength(1)
    expect(sagaFailures()).toEqual([])
  })

  it('postCommand keeps a frame whose write fails and delivers it to the next host', async () => {
    const { pipe } = makePipe()
    await pipe.setWriter({ write: () => Promise.reject(new Error('EPIPE')) }, { acks: true })
    expect(pipe.postCommand(spawn(1))).toBeUndefined()
    await settle()
    const next = new InstantMemoryWriter()
    await pipe.setWriter(next, { acks: true })
    expect(next.lines.map((l) => JSON.parse(l) as { saga_id: number }).map((f) => f.saga_id)).toEqual([1])
  })

  it('still rejects a send whose write fails, through catch', async () => {
    const { pipe } = makePipe()
    await pipe.setWriter({ write: () => Promise.reject(new Error('EPIPE')) }, { acks: true })
    const caught: unknown[] = []
    await pipe.sendCommand(spawn(1)).catch((err: unknown) => caught.push(err))
    expect(caught).toHaveLength(1)
    expect(caught[0]).toMatchObject({ code: 'WRITE_FAILED' })
  })

  it('notifies a burst written at once once, after the caller’s turn, with the final count', async () => {
    const { pipe } = makePipe()
    await pipe.setWriter(new InstantMemoryWriter(), { acks: true })
    const seen: HostPipeSnapshot[] = []
    pipe.on('change', (s) => seen.push(s))
    for (let i = 1; i <= 5; i++) void pipe.sendCommand(spawn(i))
    expect(seen).toHaveLength(0)
    await Promise.resolve()
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ inFlight: 5, counters: { sent: 5 } })
    pipe.ack(5)
    await settle()
    expect(seen.map((s) => s.counters.acked)).toEqual([0, 5])
  })

  it('writes the commands an ack lets out of the buffer before ack returns', async () => {
    const { pipe } = makePipe({ maxInFlight: 2 })
    const w = new InstantMemoryWriter()
    await pipe.setWriter(w, { acks: true })
    for (let i = 1; i <= 4; i++) void pipe.sendCommand(spawn(i))
    expect(w.lines).toHaveLength(2)
    expect(pipe.snapshot().pending).toBe(2)
    pipe.ack(2)
    expect(w.parsed().map((f) => f.saga_id)).toEqual([1, 2, 3, 4])
    expect(pipe.snapshot()).toMatchObject({ pending: 0, inFlight: 2 })
  })

  it('queues sends behind a write that must wait, one write at a time, in call order', async () => {
    const { pipe } = makePipe()
    const w = new InstantMemoryWriter()
    const session = await pipe.setWriter(w, { acks: true })
    void pipe.sendCommand(spawn(1))
    w.hold()
    let isSecondDone = false
    const second = pipe.sendCommand(spawn(2)).then(() => (isSecondDone = true))
    const third = pipe.sendCommand(spawn(3))
    const event = pipe.sendEventForSession(session, { event: 'pong', nonce: 1, version: 1 })
    await settle()
    expect(isSecondDone).toBe(false)
    expect(w.heldCount).toBe(1)
    while (w.heldCount > 0) {
      expect(w.heldCount).toBe(1)
      w.releaseOne()
      await settle()
    }
    await Promise.all([second, third, event])
    expect(w.maxConcurrentWrites).toBe(1)
    expect(w.parsed().map((f) => f.saga_id ?? `e${String(f.nonce)}`)).toEqual([1, 2, 3, 'e1'])
  })

  it('rejects WRITE_FAILED when a write fails and keeps the frame for the next host', async () => {
    const { pipe } = makePipe()
    const w = new InstantMemoryWriter()
    await pipe.setWriter(w, { acks: true })
    w.failNext = 1
    await expect(pipe.sendCommand(spawn(1))).rejects.toMatchObject({ code: 'WRITE_FAILED' })
    expect(pipe.snapshot()).toMatchObject({ connected: false, pending: 1 })
    const next = new InstantMemoryWriter()
    await pipe.setWriter(next, { acks: true })
    expect(next.parsed().map((f) => f.saga_id)).toEqual([1])
  })

  it('queues a send made by a change listener behind the write that notified it', async () => {
    const { pipe } = makePipe()
    const w = new InstantMemoryWriter()
    await pipe.setWriter(w)
    let isFirst = true
    pipe.on('change', () => {
      if (!isFirst) return
      isFirst = false
      void pipe.sendCommand(spawn(2))
    })
    await pipe.sendCommand(spawn(1))
    expect(w.parsed().map((f) => [f.seq, f.saga_id])).toEqual([
      [1, 1],
      [2, 2],
    ])
  })

  it('writes an event at once and resolves it without a promise of its own', async () => {
    const { pipe } = makePipe()
    const w = new InstantMemoryWriter()
    const session = await pipe.setWriter(w)
    const a = pipe.sendEventForSession(session, { event: 'pong', nonce: 1, version: 1 })
    const b = pipe.sendEventForSession(session, { event: 'pong', nonce: 2, version: 2 })
    expect(w.lines).toHaveLength(2)
    expect(a).toBe(b)
    await Promise.all([a, b])
  })
})
