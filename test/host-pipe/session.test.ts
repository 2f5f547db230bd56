import { describe, expect, it } from 'vitest'
import { HostPipeError } from '../../src/main/host-pipe'
import { MemoryWriter } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

const pong = { event: 'pong', nonce: 1, version: 1 } as const

describe('sessions and events (behaviours 1, 2)', () => {
  it('bumps the session id on every setWriter', async () => {
    const { pipe } = makePipe()
    expect(pipe.snapshot().sessionId).toBe(0)
    expect(await pipe.setWriter(new MemoryWriter())).toBe(1)
    expect(await pipe.setWriter(new MemoryWriter())).toBe(2)
    pipe.clearWriter()
    expect(await pipe.setWriter(new MemoryWriter())).toBe(3)
  })

  it('rejects STALE_SESSION for an old session so a stale fanout cannot write into the new host', async () => {
    const { pipe } = makePipe()
    const old = new MemoryWriter()
    const first = await pipe.setWriter(old)
    const fresh = new MemoryWriter()
    await pipe.setWriter(fresh)
    const err = await pipe.sendEventForSession(first, pong).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HostPipeError)
    expect((err as HostPipeError).code).toBe('STALE_SESSION')
    expect(fresh.lines).toEqual([])
    expect(old.lines).toEqual([])
    expect(pipe.snapshot().counters.staleSession).toBe(1)
  })

  it('drops events while disconnected instead of buffering them', async () => {
    const { pipe } = makePipe()
    const session = await pipe.setWriter(new MemoryWriter())
    pipe.clearWriter()
    await expect(pipe.sendEventForSession(session, pong)).resolves.toBeUndefined()
    expect(pipe.snapshot().pending).toBe(0)
    const w = new MemoryWriter()
    await pipe.setWriter(w)
    expect(w.lines).toEqual([])
  })

  it('drops queued events of a replaced host without writing them anywhere', async () => {
    const { pipe } = makePipe()
    const old = new MemoryWriter()
    const session = await pipe.setWriter(old)
    old.hold()
    const busy = pipe.sendEventForSession(session, pong)
    const queued = pipe.sendEventForSession(session, { ...pong, nonce: 2 })
    const fresh = new MemoryWriter()
    await pipe.setWriter(fresh)
    await expect(queued).resolves.toBeUndefined()
    old.releaseAll()
    await busy
    expect(fresh.lines).toEqual([])
    expect(old.parsed().map((e) => e.nonce)).toEqual([1])
  })

  it('rejects SERIALIZE for a command that cannot be encoded, PAYLOAD_TOO_LARGE for one over maxPayloadBytes', async () => {
    const { pipe } = makePipe()
    const bad = { cmd: 'spawn_pool_window', saga_id: 10n } as unknown as Parameters<
      typeof pipe.sendCommand
    >[0]
    await expect(pipe.sendCommand(bad)).rejects.toMatchObject({ code: 'SERIALIZE' })
    const huge = { cmd: 'reap_panes', label: 'x'.repeat(1024 * 1024), saga_id: 1 } as const
    await expect(pipe.sendCommand(huge)).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(
        /^input of `reap_panes` is 1,048,[0-9]{3} bytes once encoded; maxPayloadBytes is 1,048,576$/,
      ),
    })
    expect(pipe.snapshot().pending).toBe(0)
  })
})
