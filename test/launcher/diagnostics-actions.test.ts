import { describe, expect, it } from 'vitest'
import { MAX_BURST } from '../../src/shared/diagnostics'
import {
  createDiagnosticsActions,
  isDiagnosticsAction,
  parseBurstCount,
  type DiagnosticsActionTargets,
} from '../../src/main/launcher/diagnostics-actions'

function makeTargets(over: { hasHost?: boolean; isRunning?: boolean; burstThrows?: boolean } = {}) {
  const calls: string[] = []
  let nextSagaId = 1
  const targets: DiagnosticsActionTargets = {
    supervisor: {
      killHost: () => (calls.push('kill'), over.hasHost ?? true),
      stopHost: () => (calls.push('stop'), Promise.resolve()),
      startHost: () => (calls.push('start'), !(over.isRunning ?? false)),
    },
    coordinator: {
      startSaga: (request) => {
        if (over.burstThrows) throw new Error('saga coordinator is disposed')
        calls.push(`saga ${request.cmd}`)
        return nextSagaId++
      },
    },
  }
  return { act: createDiagnosticsActions(targets), calls }
}

describe('parseBurstCount', () => {
  it('accepts integers from 1 to MAX_BURST only', () => {
    expect(parseBurstCount(1)).toEqual({ ok: true, count: 1 })
    expect(parseBurstCount(MAX_BURST)).toEqual({ ok: true, count: MAX_BURST })
    for (const bad of [0, -3, 2.5, MAX_BURST + 1, '10', null, undefined, [], {}, Number.NaN, Infinity])
      expect(parseBurstCount(bad).ok).toBe(false)
  })

  it('says what it expected and what it got', () => {
    expect(parseBurstCount('10')).toEqual({
      ok: false,
      error: `count must be an integer from 1 to ${MAX_BURST}, got "10"`,
    })
    expect(parseBurstCount(undefined)).toMatchObject({ error: expect.stringMatching(/got nothing$/) })
  })
})

describe('createDiagnosticsActions', () => {
  it('knows exactly the four panel actions', () => {
    expect(['kill-host', 'stop-host', 'start-host', 'burst'].every(isDiagnosticsAction)).toBe(true)
    expect(isDiagnosticsAction('reboot')).toBe(false)
    expect(isDiagnosticsAction('constructor')).toBe(false)
  })

  it('drives the supervisor and the coordinator', async () => {
    const { act, calls } = makeTargets()
    expect(await act('kill-host')).toMatchObject({ ok: true, action: 'kill-host' })
    expect(await act('stop-host')).toMatchObject({ ok: true, action: 'stop-host' })
    expect(await act('start-host')).toEqual({ ok: true, action: 'start-host', detail: 'host starting' })
    expect(await act('burst', { count: 3 })).toEqual({
      ok: true,
      action: 'burst',
      detail: 'started 3 saga(s), ids 1–3',
    })
    expect(calls).toEqual(['kill', 'stop', 'start', ...Array(3).fill('saga spawn_pool_window')])
  })

  it('refuses a kill with no host, a bad count and an unknown action, and never throws', async () => {
    const { act, calls } = makeTargets({ hasHost: false })
    expect(await act('kill-host')).toEqual({ ok: false, error: 'no host process is running' })
    expect(await act('burst', { count: 0 })).toMatchObject({ ok: false })
    expect(await act('burst')).toMatchObject({ ok: false })
    expect(await act('reboot' as never)).toEqual({ ok: false, error: 'unknown action "reboot"' })
    expect(calls).toEqual(['kill'])
    const failing = makeTargets({ burstThrows: true })
    expect(await failing.act('burst', { count: 1 })).toEqual({
      ok: false,
      error: 'burst failed: saga coordinator is disposed',
    })
  })

  it('answers start-host on a running host without starting a second', async () => {
    const { act } = makeTargets({ isRunning: true })
    expect(await act('start-host')).toEqual({
      ok: true,
      action: 'start-host',
      detail: 'host already running',
    })
  })
})
