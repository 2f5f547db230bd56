// Progress, streams and events end to end (docs/protocol.md#streams): createLauncher (from the
// source) with a real host process whose entry file uses the built `hostpipe/host` (dist/).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HostPipeError, SagaFailedError } from '../../src/lib/index'
import { waitFor } from '../support/ipc-wait'
import { fixturePath, launcherFixture } from '../support/launcher-fixture'
import { streamCommands, streamEvents } from '../support/stream-definitions'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const start = launcherFixture({
  hostEntry: fixturePath('streams/host.mjs'),
  commands: streamCommands,
  events: streamEvents,
  standby: 0,
  unresponsiveMs: 0,
})
type Launcher = Awaited<ReturnType<typeof start>>

/** The `closed` events the host's `count` generator says from its `finally`. */
function closedReasons(l: Launcher): string[] {
  const reasons: string[] = []
  l.on('closed', ({ reason }) => reasons.push(reason))
  return reasons
}

describe('progress', () => {
  it('delivers progress values in order, skipping some when they come faster than delivered, all before the call settles', async () => {
    const l = await start()
    const seen: number[] = []
    let isSettled = false
    const call = l.call(
      'job',
      { steps: 2000 },
      {
        onProgress: ({ done }) => {
          expect(isSettled).toBe(false)
          seen.push(done)
        },
      },
    )
    await expect(call).resolves.toEqual({ ok: true })
    isSettled = true
    expect(seen.at(-1)).toBe(2000)
    expect(seen.length).toBeLessThan(2000)
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!)
  })
})

describe('streams', () => {
  it('delivers every chunk in order, exactly once, whatever the chunk count, consumer pace and early break', async () => {
    const window = 4
    const l = await start({ streamWindow: window })
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 3 }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        async (n, delayMs, breakAt) => {
          const stream = l.stream('count', { n, delayMs: 0 })
          const got: number[] = []
          for await (const i of stream) {
            // Checked on every step: the next chunk is the next number, never a repeat or a gap.
            expect(i).toBe(got.length)
            got.push(i)
            if (delayMs > 0) await sleep(delayMs)
            if (breakAt !== undefined && got.length > breakAt) break
          }
          // The loop left by `break`, not by the stream's end: also after the last chunk, when the
          // host's result may or may not have arrived yet.
          const didBreak = breakAt !== undefined && breakAt + 1 <= n
          expect(got).toEqual([...Array(didBreak ? breakAt + 1 : n).keys()])
          const result = await stream.result.catch((e: unknown) => e)
          const outcome = result instanceof DOMException ? result.name : result
          // A loop left before the host could have finished (its credit held it) cancels the
          // stream; one left after the host returned leaves the true result.
          if (didBreak && n > breakAt + 1 + window) expect(outcome).toBe('AbortError')
          else if (didBreak) expect([{ count: n }, 'AbortError']).toContainEqual(outcome)
          else expect(outcome).toEqual({ count: n })
        },
      ),
      { numRuns: 25 },
    )
    await waitFor(() => l.diagnostics().streams.open === 0, 'every stream closed')
  })

  it('holds the producer within the window of a slow consumer, counting chunks in transit', async () => {
    const window = 4
    const l = await start({ streamWindow: window })
    let produced = 0
    l.on('produced', ({ i }) => (produced = Math.max(produced, i + 1)))
    let taken = 0
    for await (const i of l.stream('count', { n: 100, delayMs: 0 })) {
      expect(i).toBe(taken)
      taken++
      expect(produced - taken).toBeLessThanOrEqual(window)
      if (taken === 12) break
      await sleep(20)
    }
    await sleep(100)
    expect(produced).toBeLessThanOrEqual(12 + window)
  })

  it('cancels the handler when the loop is left early: its signal fires and its finally runs', async () => {
    const l = await start()
    const closed = closedReasons(l)
    const stream = l.stream('count', { n: 1000, delayMs: 5 })
    for await (const i of stream) if (i === 2) break
    await expect(stream.result).rejects.toMatchObject({ name: 'AbortError' })
    await waitFor(() => closed.length === 1, 'the generator’s finally')
    expect(closed[0]).toMatch(/^aborted: /)
  })

  it('cancels the handler when the signal aborts, rejecting the loop and result with its reason', async () => {
    const l = await start()
    const closed = closedReasons(l)
    const controller = new AbortController()
    const stream = l.stream('count', { n: 1000, delayMs: 5 }, { signal: controller.signal })
    const got: number[] = []
    const loop = (async () => {
      for await (const i of stream) {
        got.push(i)
        if (i === 3) controller.abort()
      }
    })()
    await expect(loop).rejects.toMatchObject({ name: 'AbortError' })
    await expect(stream.result).rejects.toMatchObject({ name: 'AbortError' })
    expect(got).toEqual([0, 1, 2, 3])
    await waitFor(() => closed.length === 1, 'the generator’s finally')
  })

  it('bounds the whole stream by timeoutMs: TimeoutError, and the handler stops at its deadline', async () => {
    const l = await start()
    const closed = closedReasons(l)
    const stream = l.stream('count', { n: 1000, delayMs: 20 }, { timeoutMs: 300 })
    const err = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e)
    expect((err as DOMException).name).toBe('TimeoutError')
    await expect(stream.result).rejects.toMatchObject({ name: 'TimeoutError' })
    await waitFor(() => closed.length === 1, 'the generator’s finally')
    expect(closed[0]).toMatch(/^aborted: /)
  })

  it('rejects the loop and result with SagaFailedError, once, when the host is SIGKILLed mid-stream', async () => {
    const l = await start({ standby: 1 })
    const stream = l.stream('count', { n: 100_000, delayMs: 1 })
    let taken = 0
    const loop = (async () => {
      for await (const _ of stream) {
        if (++taken === 5) process.kill(l.diagnostics().hostPid!, 'SIGKILL')
      }
    })()
    const err = await loop.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SagaFailedError)
    expect((err as SagaFailedError).reason).toMatch(/^host disconnected before ack/)
    await expect(stream.result).rejects.toBe(err)
    // A stream is never retried: the next host serves calls, and the stream stays failed.
    await expect(l.call('add', { a: 1, b: 2 })).resolves.toEqual({ sum: 3 })
    expect(l.diagnostics().streams.open).toBe(0)
  })

  it('fails the stream with SagaFailedError naming the field when a chunk fails the schema at the launcher', async () => {
    const l = await start()
    const got: unknown[] = []
    const err = await (async () => {
      for await (const chunk of l.stream('badChunk', {})) got.push(chunk)
    })().catch((e: unknown) => e)
    expect(got).toEqual([{ n: 1 }])
    expect(err).toBeInstanceOf(SagaFailedError)
    expect((err as SagaFailedError).reason).toMatch(/^invalid chunk 1: `n`/)
  })

  it('refuses call on a stream command and stream on a plain one with INVALID_COMMAND naming the method', async () => {
    const l = await start()
    const viaCall = await l.call('count' as 'add', { n: 1, delayMs: 0 } as never).catch((e: unknown) => e)
    expect(viaCall).toBeInstanceOf(HostPipeError)
    expect(viaCall).toMatchObject({ code: 'INVALID_COMMAND' })
    expect((viaCall as Error).message).toContain("launcher.stream('count'")
    const viaStream = l.stream('add' as 'count', { a: 1, b: 2 } as never)
    await expect(viaStream.result).rejects.toMatchObject({ code: 'INVALID_COMMAND' })
    await expect(viaStream[Symbol.asyncIterator]().next()).rejects.toThrow("launcher.call('add'")
  })

  it('delivers a stream’s progress values to onProgress in order, all before its result settles', async () => {
    const l = await start()
    const seen: number[] = []
    let isSettled = false
    const stream = l.stream(
      'scan',
      { n: 300 },
      {
        onProgress: ({ done }) => {
          expect(isSettled).toBe(false)
          seen.push(done)
        },
      },
    )
    const chunks: number[] = []
    for await (const i of stream) chunks.push(i)
    await expect(stream.result).resolves.toEqual({ count: 300 })
    isSettled = true
    expect(chunks).toEqual([...Array(300).keys()])
    expect(seen.at(-1)).toBe(300)
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!)
  })

  it('counts streams and their chunks and bytes in the diagnostics feed', async () => {
    const l = await start()
    const stream = l.stream('blobs', { n: 40, size: 1024 })
    let count = 0
    for await (const chunk of stream) {
      expect(chunk).toHaveLength(1024)
      if (count++ === 0) expect(l.diagnostics().streams.open).toBe(1)
    }
    await expect(stream.result).resolves.toEqual({ count: 40 })
    const streams = l.diagnostics().streams
    expect(streams).toMatchObject({ open: 0, chunks: 40 })
    expect(streams.bytes).toBeGreaterThan(40 * 1024)
  })
})

describe('events', () => {
  it('delivers a handler’s events in order before its call settles, and only the active host’s across a restart', async () => {
    const l = await start({ standby: 1 })
    const ticks: Array<{ pid: number; i: number; hostPid: number }> = []
    l.on('tick', ({ pid, i }, { hostPid, slot }) => {
      expect(slot).toBe(0)
      ticks.push({ pid, i, hostPid })
    })
    const first = await l.call('ticks', { n: 50 })
    expect(ticks.map((t) => t.i)).toEqual([...Array(50).keys()])
    expect(ticks.every((t) => t.pid === first.pid && t.hostPid === first.pid)).toBe(true)
    process.kill(first.pid, 'SIGKILL')
    await waitFor(() => {
      const s = l.diagnostics()
      return s.connected && s.hostPid !== first.pid
    }, 'the standby promoted')
    ticks.length = 0
    const second = await l.call('ticks', { n: 50 })
    expect(second.pid).not.toBe(first.pid)
    expect(ticks.map((t) => t.i)).toEqual([...Array(50).keys()])
    expect(ticks.every((t) => t.pid === second.pid)).toBe(true)
  })

  it('drops and counts the events of a standby host', async () => {
    const l = await start({ standby: 1 })
    const ready: Array<{ pid: number; role: string }> = []
    l.on('ready', (payload) => ready.push(payload))
    await waitFor(() => l.diagnostics().standby === 1, 'a ready standby')
    await waitFor(() => l.diagnostics().eventsDropped >= 1, 'the standby’s event counted')
    expect(ready.every((r) => r.role === 'active')).toBe(true)
  })
})
