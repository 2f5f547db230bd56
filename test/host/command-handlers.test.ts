import { describe, expect, it } from 'vitest'
import { CommandHandlers } from '../../src/main/host/command-handlers'
import { WindowPool } from '../../src/main/host/window-pool'

describe('default command handlers (a window pool)', () => {
  it('labels spawned windows w1, w2, … and reports each with its saga', () => {
    const pool = new WindowPool()
    const handlers = new CommandHandlers(pool)
    expect(handlers.handle({ cmd: 'spawn_pool_window', saga_id: 3 })).toEqual({
      cmd: 'report_pool_window_added',
      label: 'w1',
      saga_id: 3,
    })
    expect(handlers.handle({ cmd: 'spawn_pool_window', saga_id: 4 })).toMatchObject({ label: 'w2' })
    expect(pool.labels).toEqual(['w1', 'w2'])
  })

  it('reports reaped panes for the label it was given', () => {
    const handlers = new CommandHandlers()
    expect(handlers.handle({ cmd: 'reap_panes', label: 'p1', saga_id: 43 })).toEqual({
      cmd: 'report_panes_reaped',
      label: 'p1',
      saga_id: 43,
    })
  })

  it('drains the pool only when the window is its last one', () => {
    const pool = new WindowPool()
    const handlers = new CommandHandlers(pool)
    handlers.handle({ cmd: 'spawn_pool_window' })
    handlers.handle({ cmd: 'spawn_pool_window' })
    expect(handlers.handle({ cmd: 'drain_pool_if_last', label: 'w1', saga_id: 1 })).toEqual({
      cmd: 'report_pool_drain_decision',
      label: 'w1',
      was_last: false,
      saga_id: 1,
    })
    expect(pool.labels).toEqual(['w1', 'w2'])
    const solo = new WindowPool()
    solo.add()
    expect(
      new CommandHandlers(solo).handle({ cmd: 'drain_pool_if_last', label: 'w1', saga_id: 2 }),
    ).toMatchObject({
      was_last: true,
    })
    expect(solo.labels).toEqual([])
  })

  it('answers a ui-thread probe with its nonce', () => {
    expect(new CommandHandlers().handle({ cmd: 'probe_ui_thread', nonce: 9 })).toEqual({
      cmd: 'report_ui_thread_alive',
      nonce: 9,
    })
  })

  it('lets a handler be replaced', () => {
    const handlers = new CommandHandlers().set('probe_ui_thread', () => undefined)
    expect(handlers.handle({ cmd: 'probe_ui_thread', nonce: 1 })).toBeUndefined()
  })
})
