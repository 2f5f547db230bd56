import { describe, expect, it, vi } from 'vitest'
import { registerDiagnosticsIpc, type InvokeEventLike } from '../../src/main/electron/ipc-handlers'
import { parseBurstCount } from '../../src/main/launcher/diagnostics-actions'
import type { ActionResult, DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import { IPC_CHANNELS } from '../../src/shared/ipc-channels'
import type { DiagnosticsSource } from '../../src/main/launcher/diagnostics-source'

const PANEL = 'file:///app/out/renderer/index.html'

function setup() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>()
  const ipcMain = {
    handle: vi.fn((channel: string, fn: (event: InvokeEventLike, ...args: unknown[]) => unknown) => {
      handlers.set(channel, fn)
    }),
    removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
  }
  const snapshot = { state: 'connected' } as DiagnosticsSnapshot
  const source: DiagnosticsSource = {
    snapshot: vi.fn(() => snapshot),
    subscribe: vi.fn(() => () => {}),
    act: vi.fn(async (action): Promise<ActionResult> => ({ ok: true, action })),
  }
  const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }
  const dispose = registerDiagnosticsIpc({ ipcMain, source, isTrustedSender: (url) => url === PANEL, log })
  const invoke = (channel: string, url: string | null, ...args: unknown[]) => {
    const handler = handlers.get(channel)
    if (!handler) throw new Error(`no handler for ${channel}`)
    return handler({ senderFrame: url === null ? null : { url } }, ...args)
  }
  return { handlers, ipcMain, source, snapshot, log, dispose, invoke }
}

describe('the diagnostics IPC handlers', () => {
  it('register one handler per bridge call', () => {
    const { handlers } = setup()
    expect([...handlers.keys()].sort()).toEqual(
      [
        IPC_CHANNELS.getSnapshot,
        IPC_CHANNELS.killHost,
        IPC_CHANNELS.stopHost,
        IPC_CHANNELS.startHost,
        IPC_CHANNELS.burst,
      ].sort(),
    )
  })

  it('answer the panel with the launcher’s snapshot', () => {
    const { invoke, snapshot } = setup()
    expect(invoke(IPC_CHANNELS.getSnapshot, PANEL)).toBe(snapshot)
  })

  it('pass each action to the launcher', async () => {
    const { invoke, source } = setup()
    await expect(invoke(IPC_CHANNELS.killHost, PANEL)).resolves.toEqual({ ok: true, action: 'kill-host' })
    await invoke(IPC_CHANNELS.stopHost, PANEL)
    await invoke(IPC_CHANNELS.startHost, PANEL)
    await invoke(IPC_CHANNELS.burst, PANEL, 250)
    expect(vi.mocked(source.act).mock.calls).toEqual([
      ['kill-host', undefined],
      ['stop-host', undefined],
      ['start-host', undefined],
      ['burst', { count: 250 }],
    ])
  })

  it('refuse every call from a frame that is not the panel, and log it', () => {
    const { invoke, source, log } = setup()
    const pushed: string[] = [IPC_CHANNELS.snapshot, IPC_CHANNELS.launcherGone]
    for (const channel of Object.values(IPC_CHANNELS).filter((c) => !pushed.includes(c))) {
      expect(() => invoke(channel, 'https://evil.example/')).toThrow(/not the diagnostics panel/)
      expect(() => invoke(channel, null)).toThrow(/not the diagnostics panel/)
    }
    expect(source.snapshot).not.toHaveBeenCalled()
    expect(source.act).not.toHaveBeenCalled()
    expect(log.warn).toHaveBeenCalled()
  })

  it('refuse a burst count that is not an integer from 1 to MAX_BURST without asking the launcher', async () => {
    const { invoke, source } = setup()
    for (const bad of [0, -1, 1.5, 100_001, '100', null, undefined, {}, NaN]) {
      const result = (await invoke(IPC_CHANNELS.burst, PANEL, bad)) as ActionResult
      expect(result.ok, String(bad)).toBe(false)
    }
    expect(source.act).not.toHaveBeenCalled()
  })

  it('pass a kill-host slot to the launcher, and refuse one that is not a non-negative integer', async () => {
    const { invoke, source } = setup()
    await invoke(IPC_CHANNELS.killHost, PANEL, 2)
    expect(source.act).toHaveBeenLastCalledWith('kill-host', { slot: 2 })
    for (const bad of [-1, 1.5, '1', null, {}, NaN]) {
      const result = (await invoke(IPC_CHANNELS.killHost, PANEL, bad)) as ActionResult
      expect(result, String(bad)).toMatchObject({ ok: false, code: 'BAD_REQUEST' })
    }
    expect(source.act).toHaveBeenCalledOnce()
  })

  it('turn a launcher that throws into an error result', async () => {
    const { invoke, source } = setup()
    vi.mocked(source.act).mockRejectedValueOnce(new Error('boom'))
    await expect(invoke(IPC_CHANNELS.killHost, PANEL)).resolves.toEqual({ ok: false, error: 'boom' })
  })

  it('remove every handler on dispose, once', () => {
    const { handlers, ipcMain, dispose } = setup()
    dispose()
    dispose()
    expect(handlers.size).toBe(0)
    expect(ipcMain.removeHandler).toHaveBeenCalledTimes(5)
  })
})

describe('validating a burst count', () => {
  it('accepts the bounds', () => {
    expect(parseBurstCount(1)).toEqual({ ok: true, count: 1 })
    expect(parseBurstCount(100_000)).toEqual({ ok: true, count: 100_000 })
  })

  it('says what it got when it refuses', () => {
    expect(parseBurstCount('12')).toEqual({
      ok: false,
      error: 'count must be an integer from 1 to 100000, got "12"',
    })
    expect(parseBurstCount([1])).toEqual({
      ok: false,
      error: 'count must be an integer from 1 to 100000, got an array',
    })
    expect(parseBurstCount(0.5)).toMatchObject({ ok: false, error: expect.stringContaining('got 0.5') })
  })
})
