import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { HostCommand } from '../../src/shared/protocol'
import { Emitter } from '../../src/main/base/emitter'
import { CallRouter, type RouteOptions, type SlotPipe } from '../../src/main/launcher/call-router'
import type { SagaFailure } from '../../src/main/host-pipe/outbound-frames'

/** A slot pipe that records what it was handed; connection and busy are set by the test. */
class FakeSlotPipe {
  readonly sent: number[] = []
  readonly cancelled: number[] = []
  isConnected = true
  isQueueFull = false
  busy = false
  readonly failures = new Emitter<SagaFailure>()
  readonly connected = new Emitter<boolean>()
  readonly changes = new Emitter<unknown>()
  readonly onDidFailSaga = this.failures.event
  readonly onDidChangeConnected = this.connected.event
  readonly onDidChange = this.changes.event as SlotPipe['onDidChange']

  sendCommand(cmd: HostCommand): Promise<void> {
    this.sent.push((cmd as { saga_id: number }).saga_id)
    return Promise.resolve()
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
    void router.sendCommand({ cmd: 'work', saga_id: sagaId } as HostCommand, o)
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

  it('settles a waiting call’s send with its pipe’s answer once its turn comes', async () => {
    const { pipes, router, call, end } = rig({ concurrency: 1 })
    const first = call()
    const refused = new Error('too large')
    pipes[0]!.sendCommand = () => Promise.reject(refused)
    const waiting = router.sendCommand({ cmd: 'work', saga_id: 50 } as HostCommand, { isAppCall: true })
    end(first)
    await expect(waiting).rejects.toBe(refused)
  })

  it('passes the AgentMux commands straight to slot 0, outside the limit', () => {
    const { pipes, router, call } = rig({ slots: 2, concurrency: 1 })
    call()
    call()
    void router.sendCommand({ cmd: 'spawn_pool_window', saga_id: 99 } as HostCommand, { retry: false })
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
