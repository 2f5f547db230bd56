import { describe, expect, it, vi } from 'vitest'
import { MAX_BURST } from '../../src/shared/diagnostics'
import {
  createDiagnosticsActions,
  isDiagnosticsAction,
  killHostInSlot,
  parseBurstCount,
  parseHostSlot,
  type DiagnosticsActionTargets,
} from '../../src/main/launcher/diagnostics-actions'

function makeTargets(
  over: { hasHost?: boolean; isRunning?: boolean; burstThrows?: boolean; slots?: number } = {},
) {
  const calls: string[] = []
  let nextSagaId = 1
  const targets: DiagnosticsActionTargets = {
    killHost: (slot) => {
      if (slot >= (over.slots ?? 1)) return 'no-such-host'
      calls.push(`kill ${slot}`)
      return (over.hasHost ?? true) ? 'killed' : 'no-process'
    },
    supervisor: {
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

describe('parseHostSlot', () => {
  it('reads no slot as slot 0, and takes any non-negative integer', () => {
    expect(parseHostSlot(undefined)).toEqual({ ok: true, slot: 0 })
    expect(parseHostSlot(0)).toEqual({ ok: true, slot: 0 })
    expect(parseHostSlot(7)).toEqual({ ok: true, slot: 7 })
  })

  it('refuses anything else as a bad request that says what it got', () => {
    for (const bad of [-1, 1.5, '1', null, true, [], {}, Number.NaN, Infinity, 2 ** 53])
      expect(parseHostSlot(bad)).toMatchObject({ ok: false, code: 'BAD_REQUEST' })
    expect(parseHostSlot('1')).toEqual({
      ok: false,
      code: 'BAD_REQUEST',
      error: 'slot must be a non-negative integer, got "1"',
    })
    expect(parseHostSlot(-1)).toMatchObject({ error: 'slot must be a non-negative integer, got -1' })
    expect(parseHostSlot(null)).toMatchObject({ error: 'slot must be a non-negative integer, got null' })
  })
})

describe('killHostInSlot', () => {
  const supervisor = (slotCount: number, hasProcess: boolean) => ({
    slotCount,
    killHost: vi.fn((_slot?: number) => hasProcess),
  })

  it('kills the host of that slot and no other', () => {
    const pool = supervisor(2, true)
    expect(killHostInSlot(pool, 1)).toBe('killed')
    expect(pool.killHost).toHaveBeenCalledExactlyOnceWith(1)
  })

  it('tells a slot without a host process from a slot that does not exist', () => {
    expect(killHostInSlot(supervisor(1, false), 0)).toBe('no-process')
    expect(killHostInSlot(supervisor(1, true), 1)).toBe('no-such-host')
    expect(killHostInSlot(supervisor(1, true), -1)).toBe('no-such-host')
    expect(killHostInSlot(undefined, 0)).toBe('no-such-host')
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
    expect(calls).toEqual(['kill 0', 'stop', 'start', ...Array(3).fill('saga spawn_pool_window')])
  })

  it('refuses a kill with no host, a bad count and an unknown action, and never throws', async () => {
    const { act, calls } = makeTargets({ hasHost: false })
    expect(await act('kill-host')).toEqual({ ok: false, error: 'no host process is running' })
    expect(await act('burst', { count: 0 })).toMatchObject({ ok: false })
    expect(await act('burst')).toMatchObject({ ok: false })
    expect(await act('reboot' as never)).toEqual({ ok: false, error: 'unknown action "reboot"' })
    expect(calls).toEqual(['kill 0'])
    const failing = makeTargets({ burstThrows: true })
    expect(await failing.act('burst', { count: 1 })).toEqual({
      ok: false,
      error: 'burst failed: saga coordinator is disposed',
    })
  })

  it('kills the slot a kill-host body names, slot 0 without one', async () => {
    const { act, calls } = makeTargets({ slots: 3 })
    expect(await act('kill-host', {})).toMatchObject({ ok: true, detail: expect.stringContaining('slot 0') })
    expect(await act('kill-host', { slot: 2 })).toEqual({
      ok: true,
      action: 'kill-host',
      detail: 'host in slot 2 killed (SIGKILL); the supervisor restarts it',
    })
    expect(calls).toEqual(['kill 0', 'kill 2'])
  })

  it('refuses a kill-host slot that is not a non-negative integer, or has no host, without killing', async () => {
    const { act, calls } = makeTargets()
    expect(await act('kill-host', { slot: 'all' })).toEqual({
      ok: false,
      code: 'BAD_REQUEST',
      error: 'slot must be a non-negative integer, got "all"',
    })
    expect(await act('kill-host', { slot: 1 })).toEqual({
      ok: false,
      code: 'NO_SUCH_HOST',
      error: 'no host in slot 1',
    })
    expect(calls).toEqual([])
  })

  it('marks a bad burst count as a bad request', async () => {
    const { act } = makeTargets()
    expect(await act('burst', { count: 0 })).toMatchObject({ ok: false, code: 'BAD_REQUEST' })
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
