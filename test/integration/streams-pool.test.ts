// Streams and events on a pool of two hosts (docs/parallel-work.md, docs/protocol.md#streams):
// createLauncher (from the source) with real host processes whose entry file uses the built
// `hostpipe/host` (dist/).
import { describe, expect, it } from 'vitest'
import { SagaFailedError } from '../../src/lib/index'
import { waitFor } from '../support/ipc-wait'
import { fixturePath, launcherFixture } from '../support/launcher-fixture'
import { streamCommands, streamEvents } from '../support/stream-definitions'

type Tagged = { pid: number; i: number }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const startPool = launcherFixture({
  hostEntry: fixturePath('streams/host.mjs'),
  commands: streamCommands,
  events: streamEvents,
  hosts: 2,
  standby: 0,
  unresponsiveMs: 0,
})
type Launcher = Awaited<ReturnType<typeof startPool>>

/** The pid of each slot's host, by slot. */
function poolPids(l: Launcher): number[] {
  return [...l.diagnostics().hosts].sort((a, b) => a.slot - b.slot).map((h) => h.pid!)
}

/** Reads a whole stream, checking on every chunk that it is the next index from the same host. */
async function readTagged(stream: AsyncIterable<Tagged>): Promise<Tagged[]> {
  const got: Tagged[] = []
  for await (const chunk of stream) {
    expect(chunk.i).toBe(got.length)
    if (got.length > 0) expect(chunk.pid).toBe(got[0]!.pid)
    got.push(chunk)
  }
  return got
}

/** Whether `promise` has settled by the time the event loop has turned over a few times. */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let isSettled = false
  promise.then(
    () => (isSettled = true),
    () => (isSettled = true),
  )
  await sleep(150)
  return isSettled
}

describe('streams on a pool of two hosts', () => {
  it('spreads streams over both hosts, each stream’s chunks in order from one host', async () => {
    const l = await startPool()
    const pids = poolPids(l)
    const streams = Array.from({ length: 6 }, () => l.stream('tagged', { n: 20, delayMs: 2 }))
    const runs = await Promise.all(streams.map(readTagged))
    const results = await Promise.all(streams.map((s) => s.result))
    for (const [k, chunks] of runs.entries()) {
      expect(chunks).toHaveLength(20)
      expect(results[k]).toEqual({ pid: chunks[0]!.pid })
    }
    expect(new Set(runs.map((chunks) => chunks[0]!.pid))).toEqual(new Set(pids))
  })

  it('counts an open stream as one call toward concurrency: a call waits until a stream is left or ends', async () => {
    const l = await startPool({ concurrency: 1 })
    // Both hosts hold one stream each: `held` until the loop leaves it, `ending` for 30 chunks.
    const held = l.stream('tagged', { n: 100_000, delayMs: 5 })
    const ending = l.stream('tagged', { n: 30, delayMs: 10 })
    const heldIterator = held[Symbol.asyncIterator]()
    const endingIterator = ending[Symbol.asyncIterator]()
    const [firstHeld, firstEnding] = await Promise.all([heldIterator.next(), endingIterator.next()])
    expect((firstHeld.value as Tagged).pid).not.toBe((firstEnding.value as Tagged).pid)

    const waiting = l.call('add', { a: 1, b: 2 })
    expect(await hasSettled(waiting)).toBe(false)
    // Leaving the loop (as `break` does) frees the held stream's place.
    await heldIterator.return!()
    await expect(waiting).resolves.toEqual({ sum: 3 })
    await expect(held.result).rejects.toMatchObject({ name: 'AbortError' })

    // Both places taken again; the next call waits for `ending` to finish on its own.
    const refill = l.stream('tagged', { n: 100_000, delayMs: 5 })
    const refillIterator = refill[Symbol.asyncIterator]()
    await refillIterator.next()
    const order: string[] = []
    const next = l.call('add', { a: 2, b: 2 }).then((out) => order.push('call') && out)
    const rest = (async () => {
      for (let step = await endingIterator.next(); !step.done; step = await endingIterator.next());
      order.push('stream ended')
    })()
    await expect(next).resolves.toEqual({ sum: 4 })
    await rest
    await expect(ending.result).resolves.toMatchObject({ pid: (firstEnding.value as Tagged).pid })
    expect(order).toEqual(['stream ended', 'call'])
    await refillIterator.return!()
    await waitFor(() => l.diagnostics().streams.open === 0, 'every stream closed')
  })

  it('fails only the killed host’s streams with SagaFailedError; the other host’s stream completes', async () => {
    const l = await startPool({ standby: 1 })
    const [a, b] = [l.stream('tagged', { n: 200, delayMs: 5 }), l.stream('tagged', { n: 200, delayMs: 5 })]
    const [itA, itB] = [a[Symbol.asyncIterator](), b[Symbol.asyncIterator]()]
    const [firstA, firstB] = await Promise.all([itA.next(), itB.next()])
    const pidA = (firstA.value as Tagged).pid
    expect(pidA).not.toBe((firstB.value as Tagged).pid)

    const readRest = async (it: AsyncIterator<Tagged>, got: Tagged[]) => {
      for (let step = await it.next(); !step.done; step = await it.next()) {
        expect(step.value.i).toBe(got.length + 1)
        got.push(step.value)
        if (got.length === 5 && it === itA) process.kill(pidA, 'SIGKILL')
      }
    }
    const gotA: Tagged[] = []
    const gotB: Tagged[] = []
    const [outA, outB] = await Promise.allSettled([readRest(itA, gotA), readRest(itB, gotB)])
    expect(outA.status).toBe('rejected')
    const err = (outA as PromiseRejectedResult).reason as SagaFailedError
    expect(err).toBeInstanceOf(SagaFailedError)
    expect(err.reason).toMatch(/^host (disconnected before ack|lost while executing)/)
    await expect(a.result).rejects.toBe(err)
    expect(outB.status).toBe('fulfilled')
    expect(gotB).toHaveLength(199)
    await expect(b.result).resolves.toEqual({ pid: (firstB.value as Tagged).pid })
    expect(l.diagnostics().streams.open).toBe(0)
  })
})

describe('events on a pool of two hosts', () => {
  it('delivers each host’s events with its own hostPid and slot', async () => {
    const l = await startPool()
    const pids = poolPids(l)
    const ticks: Array<{ pid: number; i: number; hostPid: number; slot: number }> = []
    l.on('tick', ({ pid, i }, { hostPid, slot }) => ticks.push({ pid, i, hostPid, slot }))
    // Two calls side by side go to the two hosts (the fewest outstanding first).
    const outs = await Promise.all([l.call('ticks', { n: 30 }), l.call('ticks', { n: 30 })])
    expect(new Set(outs.map((o) => o.pid))).toEqual(new Set(pids))
    for (const pid of pids) {
      const fromHost = ticks.filter((t) => t.pid === pid)
      expect(fromHost.map((t) => t.i)).toEqual([...Array(30).keys()])
      expect(fromHost.every((t) => t.hostPid === pid && t.slot === pids.indexOf(pid))).toBe(true)
    }
  })
})
