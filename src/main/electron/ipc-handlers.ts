import type {
  ActionBody,
  ActionResult,
  DiagnosticsAction,
  DiagnosticsSnapshot,
} from '../../shared/diagnostics'
import { IPC_CHANNELS } from '../../shared/ipc-channels'
import type { Logger } from '../base/logger'
import type { DiagnosticsSource } from '../launcher/diagnostics-source'
import { parseBurstCount, parseHostSlot } from '../launcher/diagnostics-actions'

/** What a handler reads from Electron's IpcMainInvokeEvent. */
export interface InvokeEventLike {
  readonly senderFrame: { readonly url: string } | null
}

/** The part of Electron's ipcMain the handlers use (a fake in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}

export interface DiagnosticsIpcOptions {
  ipcMain: IpcMainLike
  source: DiagnosticsSource
  /** True for the diagnostics panel's own URL (see `isPanelUrl`). */
  isTrustedSender(url: string): boolean
  log: Logger
}

/** Thrown to the renderer (the invoke rejects) when a frame other than the panel calls. */
export class UntrustedSenderError extends Error {
  constructor(url: string | undefined) {
    super(`IPC refused: sender ${JSON.stringify(url ?? null)} is not the diagnostics panel`)
    this.name = 'UntrustedSenderError'
  }
}

/**
 * Registers the diagnostics bridge's invoke handlers: the snapshot and the four actions. Every
 * call checks its sender frame first; `burst` checks its count and `kill-host` its slot (absent
 * is 0) before they reach the launcher.
 * Returns the function that removes the handlers.
 */
export function registerDiagnosticsIpc(opts: DiagnosticsIpcOptions): () => void {
  const { ipcMain, source, log } = opts
  const guard = (event: InvokeEventLike, channel: string): void => {
    const url = event.senderFrame?.url
    if (url === undefined || !opts.isTrustedSender(url)) {
      log.warn(`refused ${channel} from untrusted sender ${JSON.stringify(url ?? null)}`)
      throw new UntrustedSenderError(url)
    }
  }
  const act = (action: DiagnosticsAction, body?: ActionBody): Promise<ActionResult> =>
    source.act(action, body).catch((err: unknown): ActionResult => ({
      ok: false,
      error: err instanceof Error ? err.message : String(err),
    }))

  const handlers: Record<string, (event: InvokeEventLike, ...args: unknown[]) => unknown> = {
    [IPC_CHANNELS.getSnapshot]: (event): DiagnosticsSnapshot => {
      guard(event, IPC_CHANNELS.getSnapshot)
      return source.snapshot()
    },
    [IPC_CHANNELS.killHost]: (event, slot) => {
      guard(event, IPC_CHANNELS.killHost)
      const checked = parseHostSlot(slot)
      if (!checked.ok) return Promise.resolve<ActionResult>(checked)
      return act('kill-host', slot === undefined ? undefined : { slot: checked.slot })
    },
    [IPC_CHANNELS.stopHost]: (event) => {
      guard(event, IPC_CHANNELS.stopHost)
      return act('stop-host')
    },
    [IPC_CHANNELS.startHost]: (event) => {
      guard(event, IPC_CHANNELS.startHost)
      return act('start-host')
    },
    [IPC_CHANNELS.burst]: (event, count) => {
      guard(event, IPC_CHANNELS.burst)
      const checked = parseBurstCount(count)
      if (!checked.ok)
        return Promise.resolve<ActionResult>({ ok: false, code: 'BAD_REQUEST', error: checked.error })
      return act('burst', { count: checked.count })
    },
  }
  for (const [channel, handler] of Object.entries(handlers)) ipcMain.handle(channel, handler)
  let registered = true
  return () => {
    if (!registered) return
    registered = false
    for (const channel of Object.keys(handlers)) ipcMain.removeHandler(channel)
  }
}
