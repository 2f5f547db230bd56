import { describe, expect, it } from 'vitest'
import { HostPipe, QueuedBytes } from '../../src/main/host-pipe'
import { CallRouter } from '../../src/main/launcher/call-router'
import { LauncherEvents } from '../../src/main/launcher/launcher-events'
import { SagaCoordinator, type SagaEnd } from '../../src/main/launcher/saga-coordinator'
import { ManualClock } from '../support/manual-clock'
import { InstantMemoryWriter, MemoryWriter } from '../support/memory-writer'

/** Pipes, router and coordinator wired as the launcher wires them, one slot per pipe. */
function refusalRig(opts: { slots?: number; concurrency?: number; maxQueuedBytes?: number } = {}) {
  const clock = new ManualClock()
  const queuedBytes = new QueuedBytes(opts.maxQueuedBytes ?? 1024 * 1024)
  const pipes = Array.from(
    { length: opts.slots ?? 1 },
    () => new HostPipe({ clock, maxPayloadBytes: 1024, maxQueued: 10_000, queuedBytes }),
  )
  const router = new CallRouter({
    slots: pipes.map((pipe) => ({ pipe, isBusy: () => false })),
    concurrency: opts.concurrency ?? 1,
    queuedBytes,
  })
  const coordinator = new SagaCoordinator({ pipe: router, events: new LauncherEvents(), clock })
  const ends: SagaEnd[] = []
  /** Starts an app call; records its end, and whether that end came before startSaga returned. */
  const call = (input: Record<string, unknown>, key?: string): { sagaId: number; endedInside: boolean } => {
    let isStarting = true
    let endedInside = false
    const sagaId = coordinator.startSaga(
      { cmd: 'custom', name: 'work', input },
      {
        ...(key === undefined ? {} : { key }),
        onEnd: (end) => {
          if (isStarting) endedInside = true
          ends.push(end)
        },
      },
    )
    isStarting = false
    return { sagaId, endedInside }
  }
  const endsOf = (sagaId: number): SagaEnd[] => ends.filter((e) => e.sagaId === sagaId)
  const codeOf = (end: SagaEnd | undefined): string | undefined =>
    end && !end.ok ? end.error?.code : undefined
  return { clock, pipes, router, coordinator, call, endsOf, codeOf, queuedBytes }
}

const big = { text: 'x'.repeat(2000) }

describe('a refused call ends once, on a microtask, after startSaga returns', () => {
  it('PAYLOAD_TOO_LARGE on a connected host', async () => {
    const { pipes, call, endsOf, codeOf } = refusalRig()
    await pipes[0]!.setWriter(new InstantMemoryWriter(), { acks: true, perCall: true })
    const refused = call(big)
    expect(refused.endedInside).toBe(false)
    expect(endsOf(refused.sagaId)).toEqual([])
    await Promise.resolve()
    expect(endsOf(refused.sagaId)).toHaveLength(1)
    expect(codeOf(endsOf(refused.sagaId)[0])).toBe('PAYLOAD_TOO_LARGE')
  })

  it('PAYLOAD_TOO_LARGE for a call that waited in the router, and the call behind it goes out', async () => {
    const { pipes, coordinator, call, endsOf, codeOf } = refusalRig()
    const w = new InstantMemoryWriter()
    await pipes[0]!.setWriter(w, { acks: true, perCall: true })
    const first = call({ n: 1 })
    const refused = call(big)
    const third = call({ n: 3 })
    expect(refused.endedInside).toBe(false)
    coordinator.handleReport({ cmd: 'report_result', saga_id: first.sagaId, output: null })
    expect(endsOf(refused.sagaId)).toEqual([])
    await Promise.resolve()
    await Promise.resolve()
    expect(endsOf(refused.sagaId)).toHaveLength(1)
    expect(codeOf(endsOf(refused.sagaId)[0])).toBe('PAYLOAD_TOO_LARGE')
    const sent = w.lines.map((l) => (JSON.parse(l) as { saga_id: number }).saga_id)
    expect(sent).toEqual([first.sagaId, third.sagaId])
  })

  it('PAYLOAD_TOO_LARGE for a keyed call, and its lane moves on', async () => {
    const { pipes, call, endsOf, codeOf } = refusalRig({ concurrency: 4 })
    const w = new InstantMemoryWriter()
    await pipes[0]!.setWriter(w, { acks: true, perCall: true })
    const refused = call(big, 'k')
    const next = call({ n: 2 }, 'k')
    await Promise.resolve()
    await Promise.resolve()
    expect(endsOf(refused.sagaId)).toHaveLength(1)
    expect(codeOf(endsOf(refused.sagaId)[0])).toBe('PAYLOAD_TOO_LARGE')
    expect(w.lines.map((l) => (JSON.parse(l) as { saga_id: number }).saga_id)).toEqual([next.sagaId])
  })

  it('QUEUE_FULL by bytes while no host is connected', async () => {
    const { call, endsOf, codeOf, queuedBytes } = refusalRig({ maxQueuedBytes: 100 })
    const refused = call({ data: new Uint8Array(200) })
    expect(refused.endedInside).toBe(false)
    await Promise.resolve()
    expect(endsOf(refused.sagaId)).toHaveLength(1)
    expect(codeOf(endsOf(refused.sagaId)[0])).toBe('QUEUE_FULL')
    expect(queuedBytes.bytes).toBe(0)
  })

  it('a disposed pipe', async () => {
    const { pipes, call, endsOf } = refusalRig()
    pipes[0]!.dispose()
    const refused = call({ n: 1 })
    expect(refused.endedInside).toBe(false)
    await Promise.resolve()
    const ends = endsOf(refused.sagaId)
    expect(ends).toHaveLength(1)
    expect(ends[0]).toMatchObject({
      ok: false,
      reason: 'host pipe refused the command: host pipe is disposed',
    })
  })

  it('never for a write that fails: the frame is kept and goes to the next host', async () => {
    const { pipes, call, endsOf } = refusalRig()
    const failing = new MemoryWriter()
    failing.failAll = true
    await pipes[0]!.setWriter(failing, { acks: true, perCall: true })
    const kept = call({ n: 1 })
    for (let i = 0; i < 5; i++) await Promise.resolve()
    expect(endsOf(kept.sagaId)).toEqual([])
    const next = new InstantMemoryWriter()
    await pipes[0]!.setWriter(next, { acks: true, perCall: true })
    expect(next.lines.map((l) => (JSON.parse(l) as { saga_id: number }).saga_id)).toEqual([kept.sagaId])
  })
})
