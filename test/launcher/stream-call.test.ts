import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { SagaFailedError } from '../../src/shared/saga-failed-error'
import { silentLogger } from '../../src/main/base/logger'
import { LauncherStreams } from '../../src/main/launcher/launcher-streams'
import { ProgressRelay } from '../../src/main/launcher/progress-relay'
import { StreamCall, type StreamCallLaunch } from '../../src/main/launcher/stream-call'

/** A fake host for one stream: it may send a chunk while its credit (window + granted) allows. */
class FakeStreamHost implements StreamCallLaunch {
  granted = 0
  sent = 0
  readonly cancelled: number[] = []
  readonly sagas = {
    cancelSaga: (sagaId: number): 'sent-to-host' => {
      this.cancelled.push(sagaId)
      return 'sent-to-host'
    },
  }

  constructor(readonly window: number) {}

  grantCredit(_sagaId: number, credit: number): void {
    this.granted += credit
  }

  get credit(): number {
    return this.window + this.granted - this.sent
  }
}

function startStream(window: number, opts: { signal?: AbortSignal } = {}) {
  const host = new FakeStreamHost(window)
  let detached = 0
  const stream = new StreamCall<number, { count: number }>({
    name: 'count',
    schemas: { chunk: z.number(), output: z.object({ count: z.number() }) },
    window,
    timeoutMs: Infinity,
    signal: opts.signal,
    key: undefined,
  })
  stream.begin(7, host, () => detached++)
  const send = (chunk: unknown): void => {
    host.sent++
    stream.onChunk(chunk)
  }
  return { host, stream, send, detachedCount: () => detached }
}

describe('StreamCall: credit', () => {
  it('grants credit back in batches of half the window as the loop takes chunks', async () => {
    const { host, stream, send } = startStream(4)
    for (let i = 0; i < 4; i++) send(i)
    expect(host.credit).toBe(0)
    expect(await stream.next()).toEqual({ done: false, value: 0 })
    expect(host.granted).toBe(0)
    expect(await stream.next()).toEqual({ done: false, value: 1 })
    expect(host.granted).toBe(2)
    await stream.next()
    await stream.next()
    expect(host.granted).toBe(4)
  })

  it('keeps the chunks the host yielded and the loop has not taken within the window, whatever the pace', () => {
    fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        async (window, steps) => {
          const { host, stream, send } = startStream(window)
          const got: number[] = []
          for (const isHostTurn of steps) {
            if (isHostTurn && host.credit > 0) send(host.sent)
            else if (!isHostTurn && host.sent > got.length) {
              const step = await stream.next()
              if (!step.done) got.push(step.value)
            }
            expect(host.sent - got.length).toBeLessThanOrEqual(window)
            expect(host.credit).toBeGreaterThanOrEqual(0)
          }
          expect(got).toEqual([...Array(got.length).keys()])
        },
      ),
    )
  })

  it('fails the stream, cancelling its saga, when the host sends beyond its credit', async () => {
    const { host, stream, send } = startStream(2)
    send(0)
    send(1)
    send(2)
    expect(host.cancelled).toEqual([7])
    expect(await stream.next()).toEqual({ done: false, value: 0 })
    expect(await stream.next()).toEqual({ done: false, value: 1 })
    const err = await stream.next().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SagaFailedError)
    expect((err as SagaFailedError).reason).toContain('chunk 2 came beyond the credit')
    await expect(stream.result).rejects.toBe(err)
  })
})

describe('StreamCall: ends', () => {
  it('hands every chunk received before the end to the loop, then ends it and resolves result', async () => {
    const { stream, send, detachedCount } = startStream(8)
    send(1)
    send(2)
    stream.onEnd({ ok: true, sagaId: 7, output: { count: 2 } })
    const got: number[] = []
    for await (const n of stream) got.push(n)
    expect(got).toEqual([1, 2])
    await expect(stream.result).resolves.toEqual({ count: 2 })
    expect(detachedCount()).toBe(1)
  })

  it('cancels the saga and rejects result with an AbortError when the loop is left early', async () => {
    const { host, stream, send } = startStream(8)
    send(1)
    send(2)
    for await (const n of stream) {
      expect(n).toBe(1)
      break
    }
    expect(host.cancelled).toEqual([7])
    const err = await stream.result.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DOMException)
    expect((err as DOMException).name).toBe('AbortError')
    expect(await stream.next()).toEqual({ done: true, value: undefined })
  })

  it('rejects a waiting next() and result with the signal’s reason when it aborts, and cancels the saga', async () => {
    const controller = new AbortController()
    const { host, stream } = startStream(8, { signal: controller.signal })
    const waiting = stream.next()
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' })
    await expect(stream.result).rejects.toMatchObject({ name: 'AbortError' })
    expect(host.cancelled).toEqual([7])
  })

  it('names the chunk’s index and field when a chunk fails the stream schema', async () => {
    const { stream, send } = startStream(8)
    send(1)
    send('two')
    expect(await stream.next()).toEqual({ done: false, value: 1 })
    const err = await stream.next().catch((e: unknown) => e)
    expect((err as SagaFailedError).reason).toMatch(/^invalid chunk 1: /)
  })

  it('rejects the loop with SagaFailedError after the chunks received when the saga fails', async () => {
    const { stream, send } = startStream(8)
    send(1)
    stream.onEnd({ ok: false, sagaId: 7, reason: 'host disconnected before ack', isPastTimeout: false })
    expect(await stream.next()).toEqual({ done: false, value: 1 })
    await expect(stream.next()).rejects.toBeInstanceOf(SagaFailedError)
    expect(await stream.next()).toEqual({ done: true, value: undefined })
    await expect(stream.result).rejects.toMatchObject({ reason: 'host disconnected before ack' })
  })

  it('rejects at once, result included, when it could not start', async () => {
    const stream = new StreamCall<number, number>({
      name: 'count',
      schemas: undefined,
      window: 1,
      timeoutMs: Infinity,
      signal: undefined,
      key: undefined,
    }).failToStart(new Error('bad input'))
    await expect(stream.next()).rejects.toThrow('bad input')
    await expect(stream.result).rejects.toThrow('bad input')
  })

  it('counts a stream whose saga ended inside startSaga as closed, not open', async () => {
    const streams = new LauncherStreams({ sendControl: () => Promise.resolve() })
    const stream = new StreamCall<number, number>({
      name: 'count',
      schemas: { chunk: z.number(), output: z.number() },
      window: 4,
      timeoutMs: Infinity,
      signal: undefined,
      key: undefined,
    })
    stream.onEnd({ ok: false, sagaId: 3, reason: 'dropped from the outage buffer', isPastTimeout: false })
    stream.begin(3, new FakeStreamHost(4), streams.attach(3, stream, true))
    expect(streams.totals().open).toBe(0)
    await expect(stream.result).rejects.toMatchObject({ reason: 'dropped from the outage buffer' })
  })

  it('hands its progress values to onProgress, the one still held before result settles, none after', async () => {
    const got: number[] = []
    const scheduled: Array<() => void> = []
    const order: string[] = []
    const relay = new ProgressRelay(
      'scan',
      z.number(),
      (v) => {
        got.push(v as number)
        order.push(`progress ${String(v)}`)
      },
      silentLogger,
      (fn) => scheduled.push(fn),
    )
    const stream = new StreamCall<number, number>({
      name: 'scan',
      schemas: { chunk: z.number(), output: z.number() },
      window: 4,
      timeoutMs: Infinity,
      signal: undefined,
      key: undefined,
      progress: relay,
    })
    stream.begin(5, new FakeStreamHost(4), () => undefined)
    stream.onProgress(1)
    for (const fn of scheduled.splice(0)) fn()
    stream.onProgress(2)
    stream.onProgress(3)
    void stream.result.then(() => order.push('result'))
    stream.onEnd({ ok: true, sagaId: 5, output: 3 })
    stream.onProgress(4)
    for (const fn of scheduled.splice(0)) fn()
    await expect(stream.result).resolves.toBe(3)
    expect(got).toEqual([1, 3])
    expect(order).toEqual(['progress 1', 'progress 3', 'result'])
  })
})
