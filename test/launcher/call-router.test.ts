import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { HostCommand } from '../../src/shared/protocol'
import { Emitter } from '../../src/main/base/emitter'
import { CallRouter, type RouteOptions, type SlotPipe } from '../../src/main/launcher/call-router'
import { QueuedBytes, type SagaFailure } from '../../src/main/host-pipe'
import { HostPipeError } from '../../src/main/host-pipe/host-pipe-error'

/** A slot pipe that records what it was handed; connection and busy are set by the test. */
class FakeSlotPipe {
  readonly sent: number[] = []
  /** The `blockBytes` each sent command came with (undefined: the pipe was left to look). */
  readonly blockBytes: (number | undefined)[] = []
  readonly cancelled: number[] = []
  isConnected = true
  isQueueFull = false
  /** A command sent now would wait in this pipe's buffer (the test sets it). */
  isBuffering = false
  busy = false
  readonly failures = new Emitter<SagaFailure>()
  readonly connected = new Emitter<boolean>()
  readonly changes = new Emitter<unknown>()
  readonly onDidFailSaga = this.failures.event
  readonly onDidChangeConnected = this.connected.event
  readonly onDidChange = this.changes.event as SlotPipe['onDidChange']

  postCommand(cmd: HostCommand, o?: RouteOptions): HostPipeError | undefined {
    this.sent.push((cmd as { saga_id: number }).saga_id)
    this.blockBytes.push(o?.blockBytes)
    return undefined
  }
  cancelSaga(sagaId: number): number {
    this.cancelled.push(sagaId)
    return 0
  }
  sagaCommandState(sagaId: number): 'in-flight' | undefined {
    return this.sent.includes(sagaId) ? 'in-flight' : undefined
  }
  sendControl(): Promise<void> {
    return Promise.resolve()
  }
  setConnected(connected: boolean): void {
    this.isConnected = connected
    this.connected.fire(connected)
  }
}

function rig(opts: { slots?: number; concurrency?: number; maxQueued?: number } = {}) {
  const pipes = Array.from({ length: opts.slots ?? 1 }, () => new FakeSlotPipe())
  const router = new CallRouter({
    slots: pipes.map((pipe) => ({ pipe: pipe as unknown as SlotPipe, isBusy: () => pipe.busy })),
    concurrency: opts.concurrency,
    maxQueued: opts.maxQueued,
  })
  let nextSagaId = 1
  /** Starts an app call (as the coordinator does) and returns its saga id. */
  const call = (key?: string): number => {
    const sagaId = nextSagaId++
    const o: RouteOptions = key === undefined ? { isAppCall: true } : { isAppCall: true, key }
    router.postCommand({ cmd: 'work', saga_id: sagaId } as HostCommand, o)
    return sagaId
  }
  /** The saga ended (the coordinator calls cancelSaga at every end). */
  const end = (sagaId: number): void => void router.cancelSaga(sagaId)
  return { pipes, router, call, end }
}

describe('CallRouter: calls side by side up to a limit', () => {
  it('sends up to `concurrency` calls at once and the rest in call order as calls end', () => {
    const { pipes, router, call, end } = rig({ concurrency: 2 })
    const ids = [call(), call(), call(), call()]
    expect(pipes[0]!.sent).toEqual([1, 2])
    expect(router.queued).toBe(2)
    end(ids[1]!)
    expect(pipes[0]!.sent).toEqual([1, 2, 3])
    end(ids[0]!)
    expect(pipes[0]!.sent).toEqual([1, 2, 3, 4])
    expect(router.queued).toBe(0)
  })

  it('is full exactly when `maxQueued` calls wait in the launcher', () => {
    const { router, call } = rig({ concurrency: 1, maxQueued: 3 })
    call()
    expect(router.isQueueFull).toBe(false)
    call()
    call()
    expect(router.isQueueFull).toBe(false)
    call()
    expect(router.queued).toBe(3)
    expect(router.isQueueFull).toBe(true)
  })

  it('removes a waiting call on cancel without ever sending it', () => {
    const { pipes, router, call, end } = rig({ concurrency: 1 })
    const first = call()
    const waiting = call()
    expect(router.sagaCommandState(waiting)).toBe('buffered')
    expect(router.cancelSaga(waiting)).toBe(1)
    expect(router.queued).toBe(0)
    end(first)
    expect(pipes[0]!.sent).toEqual([first])
  })

  it('frees a call’s place when its pipe loses its frame', () => {
    const { pipes, call } = rig({ concurrency: 1 })
    const first = call()
    call()
    pipes[0]!.failures.fire({ sagaId: first, reason: 'host disconnected before ack' } as SagaFailure)
    expect(pipes[0]!.sent).toEqual([1, 2])
  })

  it('reports a waiting call’s refusal by its pipe once its turn comes', () => {
    const { pipes, router, call, end } = rig({ concurrency: 1 })
    const first = call()
    const refusals: unknown[] = []
    router.onDidRefuseCommand((r) => refusals.push(r))
    const refused = new HostPipeError('PAYLOAD_TOO_LARGE', 'too large')
    pipes[0]!.postCommand = () => refused
    const waiting = call()
    end(first)
    return Promise.resolve().then(() => {
      expect(refusals).toEqual([{ sagaId: waiting, error: refused }])
    })
  })

  it('keeps call order among the waiting after most of them were cancelled (the queues compacted)', () => {
    const { pipes, router, call, end } = rig({ concurrency: 1 })
    const first = call()
    const waiting = Array.from({ length: 3000 }, () => call())
    const kept = waiting.filter((_, i) => i % 3 === 0)
    for (const id of waiting) if (!kept.includes(id)) router.cancelSaga(id)
    expect(router.queued).toBe(kept.length)
    end(first)
    for (const id of kept) end(id)
    expect(pipes[0]!.sent).toEqual([first, ...kept])
  })

  it('passes the AgentMux commands straight to slot 0, outside the limit', () => {
    const { pipes, router, call } = rig({ slots: 2, concurrency: 1 })
    call()
    call()
    router.postCommand({ cmd: 'spawn_pool_window', saga_id: 99 } as HostCommand, { retry: false })
    expect(pipes[0]!.sent).toContain(99)
  })
})

describe('CallRouter: keys', () => {
  it('runs calls with the same key one at a time in call order, other keys side by side', () => {
    const { pipes, call, end } = rig()
    const a1 = call('a')
    const a2 = call('a')
    const b1 = call('b')
    const free = call()
    expect(pipes[0]!.sent).toEqual([a1, b1, free])
    end(a1)
    expect(pipes[0]!.sent).toEqual([a1, b1, free, a2])
  })

  it('keeps a key on one host of two while the pool is unchanged, and spreads keys over both', () => {
    const { pipes, call, end } = rig({ slots: 2 })
    const slotOf = (id: number): number => pipes.findIndex((p) => p.sent.includes(id))
    const first = new Map<string, number>()
    for (let round = 0; round < 3; round++)
      for (let k = 0; k < 20; k++) {
        const id = call(`user-${k}`)
        const slot = slotOf(id)
        expect(slot).toBe(first.get(`user-${k}`) ?? slot)
        first.set(`user-${k}`, slot)
        end(id)
      }
    expect(new Set(first.values())).toEqual(new Set([0, 1]))
  })

  it('moves a lane whose host is lost to a connected host, its waiting calls following', () => {
    const { pipes, call, end } = rig({ slots: 2 })
    const key = 'k'
    const head = call(key)
    const home = pipes.findIndex((p) => p.sent.includes(head))
    const next = call(key)
    pipes[home]!.setConnected(false)
    end(head)
    expect(pipes[1 - home]!.sent).toEqual([next])
  })

  it('keeps each lane in call order, one at a time, whatever order calls end in (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', undefined), endPick: fc.nat() }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        (steps, concurrency, slots) => {
          const { pipes, call, end } = rig({ slots, concurrency })
          const keyOf = new Map<number, string | undefined>()
          const sentOrder: number[] = []
          const seen = new Set<number>()
          const collect = (): void => {
            for (const p of pipes)
              for (const id of p.sent)
                if (!seen.has(id)) {
                  seen.add(id)
                  sentOrder.push(id)
                }
          }
          const running = new Set<number>()
          const ended = new Set<number>()
          const check = (): void => {
            collect()
            for (const id of sentOrder) if (!ended.has(id)) running.add(id)
            const busyKeys = new Set<string>()
            for (const id of running) {
              const k = keyOf.get(id)
              if (k === undefined) continue
              expect(busyKeys.has(k)).toBe(false)
              busyKeys.add(k)
            }
            for (const p of pipes)
              expect(p.sent.filter((id) => !ended.has(id)).length).toBeLessThanOrEqual(concurrency)
          }
          for (const step of steps) {
            keyOf.set(call(step.key), step.key)
            check()
            const open = [...running]
            if (open.length > 0 && step.endPick % 2 === 0) {
              const id = open[step.endPick % open.length]!
              running.delete(id)
              ended.add(id)
              end(id)
              check()
            }
          }
          while (running.size > 0) {
            const id = [...running][0]!
            running.delete(id)
            ended.add(id)
            end(id)
            check()
          }
          // Every call was sent, and per key in call order.
          expect(sentOrder.length).toBe(keyOf.size)
          for (const k of ['a', 'b', 'c']) {
            const ofKey = sentOrder.filter((id) => keyOf.get(id) === k)
            expect(ofKey).toEqual([...ofKey].sort((x, y) => x - y))
          }
        },
      ),
    )
  })
})

describe('CallRouter: a pool', () => {
  it('sends an unkeyed call to the connected host with the fewest calls outstanding', () => {
    const { pipes, call } = rig({ slots: 2 })
    call()
    call()
    call()
    expect(pipes[0]!.sent.length + pipes[1]!.sent.length).toBe(3)
    expect(Math.abs(pipes[0]!.sent.length - pipes[1]!.sent.length)).toBe(1)
  })

  it('avoids a busy host while another has room, and uses it when all are busy', () => {
    const { pipes, call } = rig({ slots: 2 })
    pipes[0]!.busy = true
    call()
    call()
    expect(pipes[0]!.sent).toEqual([])
    expect(pipes[1]!.sent).toEqual([1, 2])
    pipes[1]!.busy = true
    call()
    expect(pipes[0]!.sent).toEqual([3])
  })

  it('skips a disconnected host while another is connected', () => {
    const { pipes, call } = rig({ slots: 2 })
    pipes[0]!.setConnected(false)
    call()
    call()
    expect(pipes[0]!.sent).toEqual([])
    expect(pipes[1]!.sent).toEqual([1, 2])
  })

  it('hands the waiting calls, then new ones, to the outage buffers while no host is connected', () => {
    const { pipes, router, call } = rig({ concurrency: 1 })
    call()
    call()
    call()
    expect(router.queued).toBe(2)
    pipes[0]!.setConnected(false)
    expect(pipes[0]!.sent).toEqual([1, 2, 3])
    call()
    expect(pipes[0]!.sent).toEqual([1, 2, 3, 4])
    expect(router.queued).toBe(0)
  })

  it('sends waiting calls to a host as soon as it connects', () => {
    const { pipes, router, call } = rig({ slots: 2, concurrency: 1 })
    pipes[1]!.setConnected(false)
    call()
    call()
    expect(router.queued).toBe(1)
    pipes[1]!.setConnected(true)
    expect(pipes[1]!.sent).toEqual([2])
  })
})

describe('CallRouter: maxQueuedBytes', () => {
  const MiB = 1024 * 1024

  function bytesRig(limit: number, concurrency = 1) {
    const pipe = new FakeSlotPipe()
    const queuedBytes = new QueuedBytes(limit)
    const router = new CallRouter({
      slots: [{ pipe: pipe as unknown as SlotPipe, isBusy: () => false }],
      concurrency,
      queuedBytes,
    })
    let nextSagaId = 1
    /** Starts an app call carrying `size` bytes (none: no Uint8Array); its id and its send. */
    const call = (size?: number, key?: string) => {
      const sagaId = nextSagaId++
      const cmd = {
        cmd: 'echo',
        saga_id: sagaId,
        ...(size === undefined ? {} : { data: new Uint8Array(size) }),
      }
      const o: RouteOptions = key === undefined ? { isAppCall: true } : { isAppCall: true, key }
      return { sagaId, refusal: router.postCommand(cmd as HostCommand, o) }
    }
    return { pipe, router, queuedBytes, call }
  }

  it('counts the bytes of waiting calls and refuses, nothing kept or sent, the call that would pass the limit', async () => {
    const { pipe, router, queuedBytes, call } = bytesRig(3 * MiB)
    call(2 * MiB)
    call(2 * MiB)
    call(MiB)
    expect(queuedBytes.bytes).toBe(3 * MiB)
    const refused = call(1)
    const err = refused.refusal
    expect(err).toBeInstanceOf(HostPipeError)
    expect((err as HostPipeError).code).toBe('QUEUE_FULL')
    expect((err as HostPipeError).message).toBe(
      '`echo` holds 1 bytes and 3,145,728 bytes wait in the launcher already; maxQueuedBytes is 3,145,728',
    )
    expect(router.queued).toBe(2)
    expect(router.sagaCommandState(refused.sagaId)).toBeUndefined()
    expect(pipe.sent).toEqual([1])
  })

  it('frees a waiting call’s bytes when it is sent or cancelled, so the next call fits', () => {
    const { pipe, router, queuedBytes, call } = bytesRig(2 * MiB)
    const first = call(MiB)
    const second = call(MiB)
    const third = call(MiB)
    expect(queuedBytes.bytes).toBe(2 * MiB)
    router.cancelSaga(first.sagaId)
    expect(pipe.sent).toEqual([1, 2])
    expect(queuedBytes.bytes).toBe(MiB)
    router.cancelSaga(third.sagaId)
    expect(queuedBytes.bytes).toBe(0)
    expect(router.queued).toBe(0)
    void second
  })

  it('lets calls without bytes wait whatever the byte limit, and never walks a call sent at once', () => {
    const { pipe, router, queuedBytes, call } = bytesRig(1)
    call(10)
    for (let i = 0; i < 5; i++) call()
    expect(router.queued).toBe(5)
    expect(queuedBytes.bytes).toBe(0)
    expect(pipe.blockBytes).toEqual([undefined])
  })

  it('hands a measured call’s size to its pipe so the pipe does not walk it again', () => {
    const { pipe, router, call } = bytesRig(MiB)
    const first = call()
    call(100)
    call()
    router.cancelSaga(first.sagaId)
    router.cancelSaga(2)
    expect(pipe.blockBytes).toEqual([undefined, 100, -1])
  })

  it('refuses a call bound for a pipe that would buffer it when its bytes would pass the limit', async () => {
    const { pipe, queuedBytes, call } = bytesRig(MiB, 64)
    pipe.isBuffering = true
    queuedBytes.add(MiB - 10)
    const err = call(11).refusal
    expect((err as HostPipeError).code).toBe('QUEUE_FULL')
    expect(pipe.sent).toEqual([])
    expect(call(10).refusal).toBeUndefined()
    expect(pipe.sent).toEqual([2])
    expect(pipe.blockBytes).toEqual([10])
  })

  it('counts calls waiting behind their key, and lets the key’s next call go once a refused one is forgotten', async () => {
    const { pipe, router, queuedBytes, call } = bytesRig(MiB, 64)
    const running = call(MiB, 'k')
    call(MiB, 'k')
    expect(queuedBytes.bytes).toBe(MiB)
    const refused = call(1, 'k')
    expect(refused.refusal?.code).toBe('QUEUE_FULL')
    router.cancelSaga(running.sagaId)
    expect(pipe.sent).toEqual([1, 2])
    expect(queuedBytes.bytes).toBe(0)
  })
})

describe('CallRouter: calls that ended while waiting', () => {
  it('sends a new call at once when the only call that waited was cancelled and room came back', () => {
    const { pipes, router, call, end } = rig({ concurrency: 1 })
    const first = call()
    const cancelled = call()
    end(cancelled)
    end(first)
    const next = call()
    expect(pipes[0]!.sent).toEqual([first, next])
    expect(router.queued).toBe(0)
  })
})

describe('CallRouter: a lane waiting for room on a host that is lost', () => {
  it('follows its lane to a connected host instead of going to the lost host’s buffer', () => {
    const { pipes, call } = rig({ slots: 2, concurrency: 1 })
    const key = 'k'
    // Where the key maps while both hosts are connected.
    const probe = call(key)
    const home = pipes.findIndex((p) => p.sent.includes(probe))
    const other = 1 - home
    pipes[home]!.failures.fire({ sagaId: probe, reason: 'host disconnected before ack' } as SagaFailure)
    // An unkeyed call fills the key's host, so the key's next call waits there for room.
    pipes[other]!.busy = true
    const filler = call()
    pipes[other]!.busy = false
    expect(pipes[home]!.sent).toContain(filler)
    const keyed = call(key)
    expect(pipes[home]!.sent).not.toContain(keyed)
    pipes[home]!.setConnected(false)
    pipes[home]!.failures.fire({ sagaId: filler, reason: 'host disconnected before ack' } as SagaFailure)
    expect(pipes[home]!.sent).not.toContain(keyed)
    expect(pipes[other]!.sent).toContain(keyed)
  })
})
