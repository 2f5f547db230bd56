import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { PipeDiagnosticsApi } from '../../src/shared/diagnostics'
import { IPC_CHANNELS } from '../../src/shared/ipc-channels'

const bridge = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  listeners: new Map<string, Set<(...args: unknown[]) => void>>(),
  invoke: undefined as unknown as ReturnType<typeof vi.fn>,
}))

vi.mock('electron', () => {
  bridge.invoke = vi.fn(async (channel: string, ...args: unknown[]) => ({ channel, args }))
  return {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => bridge.exposed.set(key, api) },
    ipcRenderer: {
      invoke: bridge.invoke,
      on: (channel: string, fn: (...args: unknown[]) => void) => {
        const set = bridge.listeners.get(channel) ?? new Set()
        set.add(fn)
        bridge.listeners.set(channel, set)
      },
      removeListener: (channel: string, fn: (...args: unknown[]) => void) =>
        bridge.listeners.get(channel)?.delete(fn),
    },
  }
})

let api: PipeDiagnosticsApi
beforeAll(async () => {
  await import('../../src/preload/index')
  api = bridge.exposed.get('pipeDiagnostics') as PipeDiagnosticsApi
})

const push = (snapshot: unknown) => {
  for (const fn of bridge.listeners.get(IPC_CHANNELS.snapshot) ?? []) fn({ sender: 'ipc event' }, snapshot)
}

describe('the preload bridge', () => {
  it('exposes exactly the PipeDiagnosticsApi as window.pipeDiagnostics', () => {
    expect([...bridge.exposed.keys()]).toEqual(['pipeDiagnostics'])
    expect(Object.keys(api).sort()).toEqual([
      'burst',
      'getSnapshot',
      'killHost',
      'onLauncherGone',
      'startHost',
      'stopHost',
      'subscribe',
    ])
  })

  it('invokes one channel per call, passing only the burst count', async () => {
    await api.getSnapshot()
    await api.killHost()
    await api.stopHost()
    await api.startHost()
    await api.burst(42)
    expect(bridge.invoke.mock.calls).toEqual([
      [IPC_CHANNELS.getSnapshot],
      [IPC_CHANNELS.killHost],
      [IPC_CHANNELS.stopHost],
      [IPC_CHANNELS.startHost],
      [IPC_CHANNELS.burst, 42],
    ])
  })

  it('passes a kill-host slot when one is given', async () => {
    await api.killHost(3)
    expect(bridge.invoke).toHaveBeenLastCalledWith(IPC_CHANNELS.killHost, 3)
  })

  it('tells the panel the launcher is gone, without the IPC event, until unsubscribed', () => {
    const calls: unknown[][] = []
    const unsubscribe = api.onLauncherGone((...args: unknown[]) => calls.push(args))
    for (const fn of bridge.listeners.get(IPC_CHANNELS.launcherGone) ?? []) fn({ sender: 'ipc event' })
    unsubscribe()
    for (const fn of bridge.listeners.get(IPC_CHANNELS.launcherGone) ?? []) fn({ sender: 'ipc event' })
    expect(calls).toEqual([[]])
  })

  it('delivers pushed snapshots without the IPC event, until unsubscribed', () => {
    const seen: unknown[] = []
    const unsubscribe = api.subscribe((s) => seen.push(s))
    push({ state: 'connected' })
    unsubscribe()
    unsubscribe()
    push({ state: 'stopped' })
    expect(seen).toEqual([{ state: 'connected' }])
    expect(bridge.listeners.get(IPC_CHANNELS.snapshot)?.size).toBe(0)
  })
})
