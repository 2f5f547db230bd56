import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CommandExecutor } from '../../src/main/host/command-executor'
import { DefinedCommandDispatcher } from '../../src/main/host/defined-command-dispatcher'
import { agentMuxCommands } from '../../src/shared/agentmux-commands'
import { defineCommands } from '../../src/shared/define-commands'
import type { HostInbound } from '../../src/shared/protocol'
import { ManualClock } from '../support/manual-clock'
import { settle } from '../support/memory-writer'

const appCommands = defineCommands({
  wait: { input: z.object({ id: z.string(), ms: z.number() }), output: z.object({ id: z.string() }) },
  add: { input: z.object({ a: z.number(), b: z.number() }), output: z.object({ sum: z.number() }) },
})

/**
 * An executor over the AgentMux commands and two app commands: `wait` (async, `ms` on the manual
 * clock, gives up when its signal fires) and `add` (synchronous). `events` tells when each handler
 * started and ended; `spawn_pool_window` waits 100 ms, as an AgentMux command that takes time.
 */
function makeExecutor(opts: { perCallAcks?: boolean; delayMs?: number } = {}) {
  const clock = new ManualClock()
  let timersSet = 0
  const countingClock = {
    now: () => clock.now(),
    setTimeout: (fn: () => void, ms: number) => (timersSet++, clock.setTimeout(fn, ms)),
    clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
  }
  const events: string[] = []
  let windows = 0
  const clockWait = <T>(ms: number, signal: AbortSignal, id: string, value: T): Promise<T> =>
    new Promise((resolve, reject) => {
      events.push(`start ${id}`)
      const timer = clock.setTimeout(() => {
        events.push(`end ${id}`)
        resolve(value)
      }, ms)
      signal.addEventListener('abort', () => {
        clock.clearTimeout(timer)
        events.push(`abort ${id}`)
        reject(signal.reason)
      })
    })
  const handlers = new DefinedCommandDispatcher(
    { ...agentMuxCommands, ...appCommands },
    {
      spawn_pool_window: (_input, ctx) => {
        const label = `w${++windows}`
        return clockWait(100, ctx.signal, label, { label })
      },
      reap_panes: ({ label }) => ({ label }),
      drain_pool_if_last: ({ label }) => ({ label, was_last: true }),
      wait: ({ id, ms }, ctx) => clockWait(ms, ctx.signal, id, { id }),
      add: ({ a, b }) => ({ sum: a + b }),
    },
  )
  const sent: HostInbound[] = []
  const completed: number[] = []
  const executor = new CommandExecutor({
    handlers,
    send: (frame) => sent.push(frame),
    delayMs: opts.delayMs,
    onCommandCompleted: (seq) => completed.push(seq),
    clock: countingClock,
    wallNow: () => clock.now(),
    perCallAcks: opts.perCallAcks ?? true,
  })
  const step = async (ms: number): Promise<void> => {
    clock.advance(ms)
    await settle()
  }
  return { executor, sent, completed, events, clock, step, timersSet: () => timersSet }
}

describe('app commands with per-call acks', () => {
  it('starts each async app command as it arrives, beside the ones still running', async () => {
    const { executor, events } = makeExecutor()
    executor.enqueue(1, { cmd: 'wait', saga_id: 1, id: 'a', ms: 1000 })
    await settle()
    executor.enqueue(2, { cmd: 'wait', saga_id: 2, id: 'b', ms: 1000 })
    await settle()
    expect(events).toEqual(['start a', 'start b'])
  })

  it('reports each command with its seq when it ends, in the order they end, recorded first', async () => {
    const { executor, sent, completed, step } = makeExecutor()
    executor.enqueue(1, { cmd: 'wait', saga_id: 11, id: 'a', ms: 300 })
    executor.enqueue(2, { cmd: 'wait', saga_id: 12, id: 'b', ms: 100 })
    executor.enqueue(3, { cmd: 'wait', saga_id: 13, id: 'c', ms: 200 })
    await settle()
    await step(100)
    expect(sent).toEqual([{ cmd: 'report_result', saga_id: 12, output: { id: 'b' }, seq: 2 }])
    await step(100)
    await step(100)
    expect(sent).toEqual([
      { cmd: 'report_result', saga_id: 12, output: { id: 'b' }, seq: 2 },
      { cmd: 'report_result', saga_id: 13, output: { id: 'c' }, seq: 3 },
      { cmd: 'report_result', saga_id: 11, output: { id: 'a' }, seq: 1 },
    ])
    expect(completed).toEqual([2, 3, 1])
  })

  it('gives a command without a saga an ack of its own when it ends', async () => {
    const { executor, sent, step } = makeExecutor()
    executor.enqueue(1, { cmd: 'wait', id: 'a', ms: 50 })
    executor.enqueue(2, { cmd: 'add', a: 1, b: 2 })
    await settle()
    expect(sent).toEqual([{ cmd: 'ack', seq: 2 }])
    await step(50)
    expect(sent).toEqual([
      { cmd: 'ack', seq: 2 },
      { cmd: 'ack', seq: 1 },
    ])
  })

  it('overlaps the host delay of commands that run side by side', async () => {
    const { executor, sent, step } = makeExecutor({ delayMs: 100 })
    for (let seq = 1; seq <= 3; seq++) executor.enqueue(seq, { cmd: 'add', saga_id: seq, a: seq, b: 0 })
    await settle()
    await step(99)
    expect(sent).toEqual([])
    await step(1)
    expect(sent).toEqual(
      [1, 2, 3].map((n) => ({ cmd: 'report_result', saga_id: n, output: { sum: n }, seq: n })),
    )
  })

  it('runs a synchronous handler on the quick path: reported in the same turn, no timer set', async () => {
    const { executor, sent, clock, timersSet } = makeExecutor()
    executor.enqueue(1, { cmd: 'add', saga_id: 4, deadline: clock.now() + 1000, a: 2, b: 3 })
    await Promise.resolve()
    expect(sent).toEqual([{ cmd: 'report_result', saga_id: 4, output: { sum: 5 }, seq: 1 }])
    expect(timersSet()).toBe(0)
  })

  it('never starts an app command whose deadline has passed', async () => {
    const { executor, sent, events, clock } = makeExecutor()
    executor.enqueue(1, { cmd: 'wait', saga_id: 3, deadline: clock.now(), id: 'a', ms: 10 })
    await settle()
    expect(events).toEqual([])
    expect(sent).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 3, reason: 'deadline exceeded', seq: 1 },
    ])
  })
})

describe('the AgentMux commands beside app commands', () => {
  it('runs the AgentMux commands one at a time in arrival order while app commands run beside them', async () => {
    const { executor, sent, events, step } = makeExecutor()
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 1 })
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 2 })
    executor.enqueue(3, { cmd: 'wait', saga_id: 3, id: 'x', ms: 50 })
    await settle()
    expect(events).toEqual(['start w1', 'start x'])
    await step(50)
    await step(50)
    expect(events).toEqual(['start w1', 'start x', 'end x', 'end w1', 'start w2'])
    await step(100)
    expect(sent).toEqual([
      { cmd: 'report_result', saga_id: 3, output: { id: 'x' }, seq: 3 },
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 },
      { cmd: 'ack', seq: 1 },
      { cmd: 'report_pool_window_added', label: 'w2', saga_id: 2 },
      { cmd: 'ack', seq: 2 },
    ])
  })

  it('does not hold an AgentMux command behind a long app command', async () => {
    const { executor, sent, step } = makeExecutor()
    executor.enqueue(1, { cmd: 'wait', saga_id: 1, id: 'long', ms: 10_000 })
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 2 })
    await settle()
    await step(100)
    expect(sent).toEqual([
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 2 },
      { cmd: 'ack', seq: 2 },
    ])
  })
})

describe('cancel_saga and deadlines among running commands', () => {
  it("cancel_saga fires the signal of its saga's running command among several, and no other", async () => {
    const { executor, sent, events, clock, step } = makeExecutor()
    const deadline = clock.now() + 10_000
    executor.enqueue(1, { cmd: 'wait', saga_id: 1, deadline, id: 'a', ms: 500 })
    executor.enqueue(2, { cmd: 'wait', saga_id: 2, deadline, id: 'b', ms: 500 })
    executor.enqueue(3, { cmd: 'wait', saga_id: 3, deadline, id: 'c', ms: 500 })
    await settle()
    expect(executor.cancel(2)).toBe(1)
    await settle()
    expect(sent).toEqual([{ cmd: 'report_saga_action_failed', saga_id: 2, reason: 'cancelled', seq: 2 }])
    await step(500)
    expect(events).toEqual(['start a', 'start b', 'start c', 'abort b', 'end a', 'end c'])
    expect(sent.slice(1)).toEqual([
      { cmd: 'report_result', saga_id: 1, output: { id: 'a' }, seq: 1 },
      { cmd: 'report_result', saga_id: 3, output: { id: 'c' }, seq: 3 },
    ])
    expect(clock.pendingTimers).toBe(0)
  })

  it('cancel_saga read in the same chunk as its command skips it: reported cancelled once, never run', async () => {
    const { executor, sent, events } = makeExecutor()
    executor.enqueue(1, { cmd: 'wait', saga_id: 7, id: 'a', ms: 100 })
    expect(executor.cancel(7)).toBe(1)
    await settle()
    expect(events).toEqual([])
    expect(sent).toEqual([{ cmd: 'report_saga_action_failed', saga_id: 7, reason: 'cancelled', seq: 1 }])
  })

  it("fires each running command's deadline on its own", async () => {
    const { executor, sent, clock, step } = makeExecutor()
    const now = clock.now()
    executor.enqueue(1, { cmd: 'wait', saga_id: 1, deadline: now + 100, id: 'a', ms: 1000 })
    executor.enqueue(2, { cmd: 'wait', saga_id: 2, deadline: now + 200, id: 'b', ms: 1000 })
    executor.enqueue(3, { cmd: 'wait', saga_id: 3, deadline: now + 5000, id: 'c', ms: 1000 })
    await settle()
    await step(100)
    expect(sent).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 1, reason: 'deadline exceeded', seq: 1 },
    ])
    await step(100)
    expect(sent.at(-1)).toEqual({
      cmd: 'report_saga_action_failed',
      saga_id: 2,
      reason: 'deadline exceeded',
      seq: 2,
    })
    await step(800)
    expect(sent.at(-1)).toEqual({ cmd: 'report_result', saga_id: 3, output: { id: 'c' }, seq: 3 })
    expect(sent).toHaveLength(3)
    expect(clock.pendingTimers).toBe(0)
  })

  it('cuts the overlapping host delays of each command short at its own deadline', async () => {
    const { executor, sent, clock, step } = makeExecutor({ delayMs: 100 })
    executor.enqueue(1, { cmd: 'add', saga_id: 1, deadline: clock.now() + 50, a: 1, b: 1 })
    executor.enqueue(2, { cmd: 'add', saga_id: 2, deadline: clock.now() + 150, a: 2, b: 2 })
    await settle()
    await step(50)
    expect(sent).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 1, reason: 'deadline exceeded', seq: 1 },
    ])
    await step(50)
    expect(sent.at(-1)).toEqual({ cmd: 'report_result', saga_id: 2, output: { sum: 4 }, seq: 2 })
  })
})

describe('dispose and cumulative acks', () => {
  it('stops every running command on dispose: no report, no ack, no timer left', async () => {
    const { executor, sent, clock, step } = makeExecutor({ delayMs: 10 })
    executor.enqueue(1, { cmd: 'wait', saga_id: 1, deadline: clock.now() + 1000, id: 'a', ms: 100 })
    executor.enqueue(2, { cmd: 'wait', id: 'b', ms: 100 })
    executor.enqueue(3, { cmd: 'spawn_pool_window', saga_id: 3 })
    await settle()
    executor.dispose()
    expect(clock.pendingTimers).toBe(0)
    await step(1000)
    executor.enqueue(4, { cmd: 'add', saga_id: 4, a: 1, b: 1 })
    await settle()
    expect(sent).toEqual([])
  })

  it('runs app commands one at a time in arrival order without per-call acks', async () => {
    const { executor, sent, events, step } = makeExecutor({ perCallAcks: false })
    executor.enqueue(1, { cmd: 'wait', saga_id: 1, id: 'a', ms: 100 })
    executor.enqueue(2, { cmd: 'wait', saga_id: 2, id: 'b', ms: 10 })
    await settle()
    expect(events).toEqual(['start a'])
    await step(100)
    await step(10)
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b'])
    expect(sent).toEqual([
      { cmd: 'report_result', saga_id: 1, output: { id: 'a' } },
      { cmd: 'ack', seq: 1 },
      { cmd: 'report_result', saga_id: 2, output: { id: 'b' } },
      { cmd: 'ack', seq: 2 },
    ])
  })
})
