import { describe, expect, it } from 'vitest'
import { CommandExecutor } from '../../src/main/host/command-executor'
import type { CommandDispatcher } from '../../src/main/host/defined-command-dispatcher'
import type { HostInbound } from '../../src/shared/protocol'
import { ManualClock } from '../support/manual-clock'
import { demoDispatcher } from '../support/demo-dispatcher'
import { settle } from '../support/memory-writer'

/** The wall clock the deadlines are compared with: the manual clock's time, as epoch ms. */
function makeExecutor(opts: { delayMs?: number; handlers?: CommandDispatcher } = {}) {
  const sent: HostInbound[] = []
  const completed: string[] = []
  const clock = new ManualClock()
  const executor = new CommandExecutor({
    handlers: opts.handlers ?? demoDispatcher(),
    // The record line goes into the same list as the frames, so its order against them shows.
    send: (f) => sent.push(f),
    delayMs: opts.delayMs,
    onCommandCompleted: (seq, sagaId) => {
      completed.push(`${seq} ${sagaId}`)
      sent.push({ cmd: 'ping', nonce: -seq })
    },
    clock,
    wallNow: () => clock.now(),
  })
  const frames = (): HostInbound[] => sent.filter((f) => f.cmd !== 'ping')
  return { executor, sent, frames, completed, clock }
}

describe('CommandExecutor', () => {
  it('executes commands in arrival order and sends each report before the ack that covers it', async () => {
    const { executor, frames: sent } = makeExecutor()
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 10 })
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 11 })
    executor.enqueue(3, { cmd: 'probe_ui_thread', nonce: 5 })
    await settle()
    expect(sent()).toEqual([
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 10 },
      { cmd: 'report_pool_window_added', label: 'w2', saga_id: 11 },
      { cmd: 'report_ui_thread_alive', nonce: 5 },
      { cmd: 'ack', seq: 3 },
    ])
  })

  it('acks everything that arrived in one tick with one cumulative ack, and each later tick with its own', async () => {
    const { executor, sent, completed } = makeExecutor()
    for (let seq = 1; seq <= 5; seq++) executor.enqueue(seq, { cmd: 'spawn_pool_window' })
    await settle()
    executor.enqueue(9, { cmd: 'spawn_pool_window' })
    await settle()
    expect(sent.filter((f) => f.cmd === 'ack')).toEqual([
      { cmd: 'ack', seq: 5 },
      { cmd: 'ack', seq: 9 },
    ])
    expect(completed).toEqual(['1 0', '2 0', '3 0', '4 0', '5 0', '9 0'])
  })

  it('sends no report for saga commands without a saga (id 0 or absent), but still acks them', async () => {
    const { executor, frames } = makeExecutor()
    executor.enqueue(1, { cmd: 'spawn_pool_window' })
    executor.enqueue(2, { cmd: 'reap_panes', label: 'w1', saga_id: 0 })
    executor.enqueue(3, { cmd: 'drain_pool_if_last', label: 'w1' })
    await settle()
    expect(frames()).toEqual([{ cmd: 'ack', seq: 3 }])
  })

  it('turns a handler error into report_saga_action_failed for the saga, and goes on', async () => {
    const handlers = demoDispatcher({
      reap_panes: () => {
        throw new Error('pane is busy')
      },
    })
    const { executor, frames, completed } = makeExecutor({ handlers })
    executor.enqueue(1, { cmd: 'reap_panes', label: 'w1', saga_id: 4 })
    executor.enqueue(2, { cmd: 'reap_panes', label: 'w1' })
    executor.enqueue(3, { cmd: 'spawn_pool_window', saga_id: 5 })
    await settle()
    expect(frames()).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 4, reason: 'pane is busy' },
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 5 },
      { cmd: 'ack', seq: 3 },
    ])
    expect(completed).toEqual(['3 5'])
  })

  it('waits for an async handler, keeps order behind it, and acks it as soon as it is done', async () => {
    let finish!: () => void
    const handlers = demoDispatcher({
      spawn_pool_window: () =>
        new Promise((resolve) => {
          finish = () => resolve({ label: 'slow' })
        }),
    })
    const { executor, frames } = makeExecutor({ handlers })
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 1 })
    executor.enqueue(2, { cmd: 'probe_ui_thread', nonce: 2 })
    await settle()
    expect(frames()).toEqual([])
    finish()
    await settle()
    expect(frames()).toEqual([
      { cmd: 'report_pool_window_added', label: 'slow', saga_id: 1 },
      { cmd: 'ack', seq: 1 },
      { cmd: 'report_ui_thread_alive', nonce: 2 },
      { cmd: 'ack', seq: 2 },
    ])
  })

  it('makes each command take the host delay, one after the other, acking each when done', async () => {
    const { executor, frames, clock } = makeExecutor({ delayMs: 50 })
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 1 })
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 2 })
    await settle()
    clock.advance(49)
    await settle()
    expect(frames()).toEqual([])
    clock.advance(1)
    await settle()
    expect(frames()).toEqual([
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 },
      { cmd: 'ack', seq: 1 },
    ])
    clock.advance(50)
    await settle()
    expect(frames().at(-1)).toEqual({ cmd: 'ack', seq: 2 })
  })

  it('stops on dispose: no more reports or acks, no timer left', async () => {
    const { executor, sent, clock } = makeExecutor({ delayMs: 50 })
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 1, deadline: clock.now() + 1000 })
    await settle()
    executor.dispose()
    expect(clock.pendingTimers).toBe(0)
    clock.advance(100)
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 2 })
    await settle()
    expect(sent).toEqual([])
  })

  it('writes the record line of a completed command before its report', async () => {
    const { executor, sent } = makeExecutor()
    executor.enqueue(7, { cmd: 'spawn_pool_window', saga_id: 3 })
    await settle()
    expect(sent).toEqual([
      { cmd: 'ping', nonce: -7 },
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 3 },
      { cmd: 'ack', seq: 7 },
    ])
  })
})

describe('CommandExecutor deadlines and cancel_saga', () => {
  it('never starts a command whose deadline has passed: deadline exceeded, acked, not recorded', async () => {
    const { executor, frames, completed, clock } = makeExecutor()
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 1, deadline: clock.now() - 1 })
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 2, deadline: clock.now() })
    executor.enqueue(3, { cmd: 'spawn_pool_window', saga_id: 3, deadline: clock.now() + 1 })
    await settle()
    expect(frames()).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 1, reason: 'deadline exceeded' },
      { cmd: 'report_saga_action_failed', saga_id: 2, reason: 'deadline exceeded' },
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 3 },
      { cmd: 'ack', seq: 3 },
    ])
    expect(completed).toEqual(['3 3'])
  })

  it("checks the deadline when the command's turn comes, not when it arrived", async () => {
    const { executor, frames, completed, clock } = makeExecutor({ delayMs: 100 })
    const deadline = clock.now() + 150
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 1, deadline })
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 2, deadline })
    await settle()
    clock.advance(100)
    await settle()
    // The second one would start at +100 and end at +200: its delay is cut short at +150.
    clock.advance(50)
    await settle()
    expect(frames()).toEqual([
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 },
      { cmd: 'ack', seq: 1 },
      { cmd: 'report_saga_action_failed', saga_id: 2, reason: 'deadline exceeded' },
      { cmd: 'ack', seq: 2 },
    ])
    expect(completed).toEqual(['1 1'])
    expect(clock.pendingTimers).toBe(0)
  })

  it("fires a running async handler's signal at the deadline; a handler that gives up fails the saga", async () => {
    const seen: unknown[] = []
    const handlers = demoDispatcher({
      spawn_pool_window: (_input, ctx) =>
        new Promise((_resolve, reject) => {
          seen.push(ctx.deadline, ctx.sagaId)
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))
        }),
    })
    const { executor, frames, completed, clock } = makeExecutor({ handlers })
    const deadline = clock.now() + 300
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 9, deadline })
    await settle()
    clock.advance(299)
    await settle()
    expect(frames()).toEqual([])
    clock.advance(1)
    await settle()
    expect(seen).toEqual([deadline, 9])
    expect(frames()).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 9, reason: 'deadline exceeded' },
      { cmd: 'ack', seq: 1 },
    ])
    expect(completed).toEqual([])
  })

  it('counts a handler that returns after its signal fired as completed: late, but true', async () => {
    let finish!: () => void
    let aborted = false
    const handlers = demoDispatcher({
      spawn_pool_window: (_input, ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => (aborted = true))
          finish = () => resolve({ label: 'late' })
        }),
    })
    const { executor, frames, completed, clock } = makeExecutor({ handlers })
    executor.enqueue(4, { cmd: 'spawn_pool_window', saga_id: 2, deadline: clock.now() + 10 })
    await settle()
    clock.advance(20)
    finish()
    await settle()
    expect(aborted).toBe(true)
    expect(frames()).toEqual([
      { cmd: 'report_pool_window_added', label: 'late', saga_id: 2 },
      { cmd: 'ack', seq: 4 },
    ])
    expect(completed).toEqual(['4 2'])
  })

  it('cancel_saga skips a queued command at once (reported cancelled, acked in its turn, not recorded)', async () => {
    const { executor, frames, completed, clock } = makeExecutor({ delayMs: 100 })
    const deadline = clock.now() + 10_000
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 1, deadline })
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 2, deadline })
    executor.enqueue(3, { cmd: 'spawn_pool_window', saga_id: 3, deadline })
    await settle()
    expect(executor.cancel(2)).toBe(1)
    expect(frames()).toEqual([{ cmd: 'report_saga_action_failed', saga_id: 2, reason: 'cancelled' }])
    clock.advance(100)
    await settle()
    clock.advance(100)
    await settle()
    expect(frames()).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 2, reason: 'cancelled' },
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 },
      { cmd: 'ack', seq: 1 },
      { cmd: 'report_pool_window_added', label: 'w2', saga_id: 3 },
      { cmd: 'ack', seq: 3 },
    ])
    expect(completed).toEqual(['1 1', '3 3'])
  })

  it("cancel_saga fires the running command's signal; a saga it does not hold is ignored", async () => {
    const { executor, frames, completed, clock } = makeExecutor({ delayMs: 100 })
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 5, deadline: clock.now() + 10_000 })
    await settle()
    expect(executor.cancel(99)).toBe(0)
    expect(executor.cancel(5)).toBe(1)
    await settle()
    expect(frames()).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 5, reason: 'cancelled' },
      { cmd: 'ack', seq: 1 },
    ])
    expect(completed).toEqual([])
    expect(clock.pendingTimers).toBe(0)
  })
})
