import { describe, expect, it } from 'vitest'
import { CommandExecutor } from '../../src/main/host/command-executor'
import { CommandHandlers } from '../../src/main/host/command-handlers'
import type { HostInbound } from '../../src/shared/protocol'
import { ManualClock } from '../support/manual-clock'
import { settle } from '../support/memory-writer'

function makeExecutor(opts: { delayMs?: number; handlers?: CommandHandlers } = {}) {
  const sent: HostInbound[] = []
  const batches: number[][] = []
  const clock = new ManualClock()
  const executor = new CommandExecutor({
    handlers: opts.handlers ?? new CommandHandlers(),
    send: (f) => sent.push(f),
    delayMs: opts.delayMs,
    onBatchExecuted: (seqs) => batches.push(seqs),
    clock,
  })
  return { executor, sent, batches, clock }
}

describe('CommandExecutor', () => {
  it('executes commands in arrival order and sends each report before the ack that covers it', async () => {
    const { executor, sent } = makeExecutor()
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 10 })
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 11 })
    executor.enqueue(3, { cmd: 'probe_ui_thread', nonce: 5 })
    await settle()
    expect(sent).toEqual([
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 10 },
      { cmd: 'report_pool_window_added', label: 'w2', saga_id: 11 },
      { cmd: 'report_ui_thread_alive', nonce: 5 },
      { cmd: 'ack', seq: 3 },
    ])
  })

  it('acks everything that arrived in one tick with one cumulative ack, and each later tick with its own', async () => {
    const { executor, sent, batches } = makeExecutor()
    for (let seq = 1; seq <= 5; seq++) executor.enqueue(seq, { cmd: 'spawn_pool_window' })
    await settle()
    executor.enqueue(9, { cmd: 'spawn_pool_window' })
    await settle()
    expect(sent.filter((f) => f.cmd === 'ack')).toEqual([
      { cmd: 'ack', seq: 5 },
      { cmd: 'ack', seq: 9 },
    ])
    expect(batches).toEqual([[1, 2, 3, 4, 5], [9]])
  })

  it('sends no report for saga commands without a saga (id 0 or absent), but still acks them', async () => {
    const { executor, sent } = makeExecutor()
    executor.enqueue(1, { cmd: 'spawn_pool_window' })
    executor.enqueue(2, { cmd: 'reap_panes', label: 'w1', saga_id: 0 })
    executor.enqueue(3, { cmd: 'drain_pool_if_last', label: 'w1' })
    await settle()
    expect(sent).toEqual([{ cmd: 'ack', seq: 3 }])
  })

  it('turns a handler error into report_saga_action_failed for the saga, and goes on', async () => {
    const handlers = new CommandHandlers().set('reap_panes', () => {
      throw new Error('pane is busy')
    })
    const { executor, sent } = makeExecutor({ handlers })
    executor.enqueue(1, { cmd: 'reap_panes', label: 'w1', saga_id: 4 })
    executor.enqueue(2, { cmd: 'reap_panes', label: 'w1' })
    executor.enqueue(3, { cmd: 'spawn_pool_window', saga_id: 5 })
    await settle()
    expect(sent).toEqual([
      { cmd: 'report_saga_action_failed', saga_id: 4, reason: 'pane is busy' },
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 5 },
      { cmd: 'ack', seq: 3 },
    ])
  })

  it('waits for an async handler, keeps order behind it, and acks it as soon as it is done', async () => {
    let finish!: () => void
    const handlers = new CommandHandlers().set(
      'spawn_pool_window',
      (cmd) =>
        new Promise((resolve) => {
          finish = () =>
            resolve({ cmd: 'report_pool_window_added', label: 'slow', saga_id: cmd.saga_id ?? 0 })
        }),
    )
    const { executor, sent } = makeExecutor({ handlers })
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 1 })
    executor.enqueue(2, { cmd: 'probe_ui_thread', nonce: 2 })
    await settle()
    expect(sent).toEqual([])
    finish()
    await settle()
    expect(sent).toEqual([
      { cmd: 'report_pool_window_added', label: 'slow', saga_id: 1 },
      { cmd: 'ack', seq: 1 },
      { cmd: 'report_ui_thread_alive', nonce: 2 },
      { cmd: 'ack', seq: 2 },
    ])
  })

  it('makes each command take the host delay, one after the other, acking each when done', async () => {
    const { executor, sent, clock } = makeExecutor({ delayMs: 50 })
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 1 })
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 2 })
    await settle()
    clock.advance(49)
    await settle()
    expect(sent).toEqual([])
    clock.advance(1)
    await settle()
    expect(sent).toEqual([
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 },
      { cmd: 'ack', seq: 1 },
    ])
    clock.advance(50)
    await settle()
    expect(sent.at(-1)).toEqual({ cmd: 'ack', seq: 2 })
  })

  it('stops on dispose: no more reports or acks, no timer left', async () => {
    const { executor, sent, clock } = makeExecutor({ delayMs: 50 })
    executor.enqueue(1, { cmd: 'spawn_pool_window', saga_id: 1 })
    await settle()
    executor.dispose()
    expect(clock.pendingTimers).toBe(0)
    clock.advance(100)
    executor.enqueue(2, { cmd: 'spawn_pool_window', saga_id: 2 })
    await settle()
    expect(sent).toEqual([])
  })
})
