// The seed's own test suite (AgentMux `host_pipe/tests.rs`), ported behaviour by behaviour.
import { describe, expect, it } from 'vitest'
import { DISCONNECT_TIMEOUT_MS, HostPipeError, PENDING_BUFFER_CAP } from '../../src/main/host-pipe'
import { encodeHostFrame, parseHostBound, type Event } from '../../src/shared/protocol'
import { MemoryWriter } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

const sagaFailed = (saga_id: number, version = 1): Event => ({
  event: 'saga_failed',
  saga_id,
  reason: 'x',
  version,
})

describe('seed suite', () => {
  it('connected: sending an event writes exactly one line, the raw event JSON', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    const session = await pipe.setWriter(w)
    await pipe.sendEventForSession(session, sagaFailed(3, 57))
    expect(w.lines).toEqual(['{"event":"saga_failed","saga_id":3,"reason":"x","version":57}'])
  })

  it('connected: sending a command writes one line, a HostFrame with kind "command"', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 42 })
    expect(w.lines).toHaveLength(1)
    expect(w.lines[0]).toBe('{"kind":"command","seq":1,"cmd":"spawn_pool_window","saga_id":42}')
  })

  it('disconnected: two commands are buffered and nothing is written', async () => {
    const { pipe } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    expect(pipe.snapshot().pending).toBe(2)
    expect(pipe.snapshot().connected).toBe(false)
  })

  it('reconnect drains the buffer in FIFO order into the new writer', async () => {
    const { pipe } = makePipe()
    for (const label of ['a', 'b', 'c']) await pipe.sendCommand({ cmd: 'reap_panes', label, saga_id: 0 })
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    expect(w.parsed().map((f) => f.label)).toEqual(['a', 'b', 'c'])
    expect(pipe.snapshot().pending).toBe(0)
  })

  it('65 commands while disconnected: pending stays 64 and the 65th is the newest kept', async () => {
    const { pipe } = makePipe()
    for (let i = 1; i <= PENDING_BUFFER_CAP + 1; i++)
      await pipe.sendCommand({ cmd: 'probe_ui_thread', nonce: i })
    expect(pipe.snapshot().pending).toBe(PENDING_BUFFER_CAP)
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    const nonces = w.parsed().map((f) => f.nonce)
    expect(nonces).toHaveLength(64)
    expect(nonces[0]).toBe(2)
    expect(nonces.at(-1)).toBe(65)
  })

  it('after the disconnect budget the buffered frames are dropped; a later command is buffered alone', async () => {
    const { pipe, clock } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    clock.advance(DISCONNECT_TIMEOUT_MS + 1)
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 3 })
    expect(pipe.snapshot().pending).toBe(1)
  })

  it('write failure: the send rejects WRITE_FAILED, the pipe disconnects and the frame is buffered', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    w.failAll = true
    const err = await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 9 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HostPipeError)
    expect((err as HostPipeError).code).toBe('WRITE_FAILED')
    expect(pipe.snapshot().connected).toBe(false)
    expect(pipe.snapshot().pending).toBe(1)
  })

  it('HostFrame JSON round-trip: command frames carry kind "command", event frames kind "event"', () => {
    const cmd = encodeHostFrame({ kind: 'command', seq: 7, cmd: 'spawn_pool_window', saga_id: 42 })
    expect(JSON.parse(cmd)).toMatchObject({ kind: 'command' })
    expect(parseHostBound(cmd)).toEqual({
      ok: true,
      frame: { kind: 'command', seq: 7, command: { cmd: 'spawn_pool_window', saga_id: 42 } },
    })
    const ev = encodeHostFrame({ kind: 'event', ...sagaFailed(3) })
    expect(JSON.parse(ev)).toMatchObject({ kind: 'event', event: 'saga_failed' })
    expect(parseHostBound(ev)).toEqual({ ok: true, frame: { kind: 'event', event: sagaFailed(3) } })
  })

  it('three events sent while connected arrive in order', async () => {
    const { pipe } = makePipe()
    const w = new MemoryWriter()
    const session = await pipe.setWriter(w)
    await Promise.all([1, 2, 3].map((id) => pipe.sendEventForSession(session, sagaFailed(id))))
    expect(w.parsed().map((e) => e.saga_id)).toEqual([1, 2, 3])
  })

  it('clearing the writer twice is harmless', async () => {
    const { pipe } = makePipe()
    await pipe.setWriter(new MemoryWriter())
    pipe.clearWriter()
    const first = pipe.snapshot()
    pipe.clearWriter()
    expect(pipe.snapshot()).toEqual(first)
  })

  it('saga commands buffered while disconnected arrive after reconnect in order with their saga ids', async () => {
    const { pipe } = makePipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 10 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 11 })
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    expect(w.parsed().map((f) => f.saga_id)).toEqual([10, 11])
  })

  describe('fail-fast send (trySendCommandNoBuffer)', () => {
    it('fails at once with HOST_NOT_CONNECTED and buffers nothing while disconnected', async () => {
      const { pipe } = makePipe()
      await expect(pipe.trySendCommandNoBuffer({ cmd: 'probe_ui_thread', nonce: 1 })).rejects.toMatchObject({
        code: 'HOST_NOT_CONNECTED',
        message: 'host not connected',
      })
      expect(pipe.snapshot().pending).toBe(0)
    })

    it('delivers while connected', async () => {
      const { pipe } = makePipe()
      const w = new MemoryWriter()
      await pipe.setWriter(w)
      await pipe.trySendCommandNoBuffer({ cmd: 'probe_ui_thread', nonce: 1 })
      expect(w.parsed()).toEqual([{ kind: 'command', seq: 1, cmd: 'probe_ui_thread', nonce: 1 }])
    })

    it('on a write failure returns the error, disconnects, and leaves the buffer empty', async () => {
      const { pipe } = makePipe()
      const w = new MemoryWriter()
      await pipe.setWriter(w)
      w.failAll = true
      await expect(pipe.trySendCommandNoBuffer({ cmd: 'probe_ui_thread', nonce: 1 })).rejects.toMatchObject({
        code: 'WRITE_FAILED',
      })
      expect(pipe.snapshot().connected).toBe(false)
      expect(pipe.snapshot().pending).toBe(0)
      const w2 = new MemoryWriter()
      await pipe.setWriter(w2)
      expect(w2.lines).toEqual([])
    })
  })
})
