import { describe, expect, it, vi } from 'vitest'
import { BridgeSource } from '../../src/renderer/bridge-source'
import type { LinkStatus } from '../../src/renderer/panel-source'
import type { DiagnosticsSnapshot, PipeDiagnosticsApi } from '../../src/shared/diagnostics'
import { snapshotFixture } from './snapshot-fixture'

function setup(getSnapshot: () => Promise<DiagnosticsSnapshot> = async () => snapshotFixture()) {
  let push: ((s: DiagnosticsSnapshot) => void) | undefined
  let gone: (() => void) | undefined
  const unsubscribe = vi.fn()
  const stopWatchingGone = vi.fn()
  const api: PipeDiagnosticsApi = {
    getSnapshot: vi.fn(getSnapshot),
    subscribe: vi.fn((cb) => {
      push = cb
      return unsubscribe
    }),
    onLauncherGone: vi.fn((cb) => {
      gone = cb
      return stopWatchingGone
    }),
    killHost: vi.fn(async () => ({ ok: true as const, action: 'kill-host' as const })),
    stopHost: vi.fn(async () => ({ ok: true as const, action: 'stop-host' as const })),
    startHost: vi.fn(async () => ({ ok: true as const, action: 'start-host' as const })),
    burst: vi.fn(async () => {
      throw new Error('IPC refused')
    }),
  }
  const source = new BridgeSource(api)
  const snapshots: DiagnosticsSnapshot[] = []
  const statuses: LinkStatus[] = []
  source.start({ snapshot: (s) => snapshots.push(s), status: (s) => statuses.push(s), unauthorized: vi.fn() })
  return {
    api,
    source,
    snapshots,
    statuses,
    unsubscribe,
    stopWatchingGone,
    push: (s: DiagnosticsSnapshot) => push?.(s),
    launcherGone: () => gone?.(),
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0))

describe('the preload bridge data source', () => {
  it('subscribes before it asks for the first snapshot, and goes live', async () => {
    const { api, snapshots, statuses } = setup()
    expect(vi.mocked(api.subscribe).mock.invocationCallOrder[0]).toBeLessThan(
      vi.mocked(api.getSnapshot).mock.invocationCallOrder[0]!,
    )
    await flush()
    expect(snapshots).toHaveLength(1)
    expect(statuses).toEqual(['connecting', 'live'])
  })

  it('passes on pushed snapshots until disposed', async () => {
    const { source, snapshots, push, unsubscribe } = setup()
    await flush()
    push(snapshotFixture({ pending: 3 }))
    source.dispose()
    push(snapshotFixture({ pending: 4 }))
    expect(snapshots.map((s) => s.pending)).toEqual([0, 3])
    expect(unsubscribe).toHaveBeenCalledOnce()
  })

  it('says the launcher is gone when the bridge reports it, and stops listening on dispose', async () => {
    const { source, statuses, launcherGone, stopWatchingGone } = setup()
    await flush()
    launcherGone()
    expect(statuses).toEqual(['connecting', 'live', 'gone'])
    source.dispose()
    expect(stopWatchingGone).toHaveBeenCalledOnce()
  })

  it('maps each action to its bridge call and a rejected call to an error result', async () => {
    const { api, source } = setup()
    await source.act('kill-host')
    await source.act('stop-host')
    await source.act('start-host')
    expect(api.killHost).toHaveBeenCalledOnce()
    expect(api.stopHost).toHaveBeenCalledOnce()
    expect(api.startHost).toHaveBeenCalledOnce()
    await expect(source.act('burst', 5)).resolves.toEqual({ ok: false, error: 'IPC refused' })
    expect(api.burst).toHaveBeenCalledWith(5)
  })

  it('says it is reconnecting when the first snapshot cannot be had', async () => {
    const { statuses } = setup(async () => {
      throw new Error('no handler')
    })
    await flush()
    expect(statuses).toEqual(['connecting', 'reconnecting'])
  })
})
