// The demo host's handlers of the AgentMux commands, through the dispatcher runHost uses.
import { describe, expect, it } from 'vitest'
import type { HandlerContext } from '../../src/main/host/defined-command-dispatcher'
import { WindowPool } from '../../src/main/demo-host/window-pool'
import { demoDispatcher } from '../support/demo-dispatcher'

const ctx = (sagaId: number): HandlerContext => ({
  signal: new AbortController().signal,
  deadline: undefined,
  sagaId,
})

describe('the demo host (AgentMux commands over a window pool)', () => {
  it('labels spawned windows w1, w2, … and reports each with its saga', () => {
    const pool = new WindowPool()
    const handlers = demoDispatcher({}, pool)
    expect(handlers.handle({ cmd: 'spawn_pool_window', saga_id: 3 }, ctx(3))).toEqual({
      cmd: 'report_pool_window_added',
      label: 'w1',
      saga_id: 3,
    })
    expect(handlers.handle({ cmd: 'spawn_pool_window', saga_id: 4 }, ctx(4))).toMatchObject({ label: 'w2' })
    expect(pool.labels).toEqual(['w1', 'w2'])
  })

  it('reports reaped panes for the label it was given', () => {
    expect(demoDispatcher().handle({ cmd: 'reap_panes', label: 'p1', saga_id: 43 }, ctx(43))).toEqual({
      cmd: 'report_panes_reaped',
      label: 'p1',
      saga_id: 43,
    })
  })

  it('drains the pool only when the window is its last one', () => {
    const pool = new WindowPool()
    const handlers = demoDispatcher({}, pool)
    handlers.handle({ cmd: 'spawn_pool_window' }, ctx(0))
    handlers.handle({ cmd: 'spawn_pool_window' }, ctx(0))
    expect(handlers.handle({ cmd: 'drain_pool_if_last', label: 'w1', saga_id: 1 }, ctx(1))).toEqual({
      cmd: 'report_pool_drain_decision',
      label: 'w1',
      was_last: false,
      saga_id: 1,
    })
    expect(pool.labels).toEqual(['w1', 'w2'])
    const solo = new WindowPool()
    solo.add()
    expect(
      demoDispatcher({}, solo).handle({ cmd: 'drain_pool_if_last', label: 'w1', saga_id: 2 }, ctx(2)),
    ).toMatchObject({ was_last: true })
    expect(solo.labels).toEqual([])
  })

  it('answers a ui-thread probe sent as a command with its nonce', () => {
    expect(demoDispatcher().handle({ cmd: 'probe_ui_thread', nonce: 9 }, ctx(0))).toEqual({
      cmd: 'report_ui_thread_alive',
      nonce: 9,
    })
  })

  it('fails a call whose handler output does not fit its report, naming the field', () => {
    const handlers = demoDispatcher({
      spawn_pool_window: () => ({ label: '' }),
      drain_pool_if_last: () => ({ label: 'w1', was_last: 'yes' as unknown as boolean }),
    })
    expect(() => handlers.handle({ cmd: 'spawn_pool_window', saga_id: 1 }, ctx(1))).toThrow(
      /output of `spawn_pool_window` is invalid: `label` must be a well-formed string of 1 to 256 characters, got ""/,
    )
    expect(() => handlers.handle({ cmd: 'drain_pool_if_last', label: 'w1', saga_id: 1 }, ctx(1))).toThrow(
      /output of `drain_pool_if_last` is invalid: `was_last` must be a boolean, got "yes"/,
    )
  })
})
