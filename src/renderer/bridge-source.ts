import type { ActionResult, DiagnosticsAction, PipeDiagnosticsApi } from '../shared/diagnostics'
import type { PanelSource, PanelSourceHandlers } from './panel-source'

const errorResult = (err: unknown): ActionResult => ({
  ok: false,
  error: err instanceof Error ? err.message : String(err),
})

/** The panel's data in Electron: `window.pipeDiagnostics`, the preload bridge. */
export class BridgeSource implements PanelSource {
  readonly kind = 'bridge'
  private unsubscribe: (() => void) | undefined
  private stopWatchingGone: (() => void) | undefined
  private disposed = false

  constructor(private readonly api: PipeDiagnosticsApi) {}

  start(handlers: PanelSourceHandlers): void {
    handlers.status('connecting')
    // Subscribed before asking, so no update falls between the two.
    this.unsubscribe = this.api.subscribe((snapshot) => {
      if (!this.disposed) handlers.snapshot(snapshot)
    })
    // The launcher stopped: no snapshot follows, so the panel must not keep showing it live.
    this.stopWatchingGone = this.api.onLauncherGone(() => {
      if (!this.disposed) handlers.status('gone')
    })
    this.api.getSnapshot().then(
      (snapshot) => {
        if (this.disposed) return
        handlers.snapshot(snapshot)
        handlers.status('live')
      },
      () => {
        if (!this.disposed) handlers.status('reconnecting')
      },
    )
  }

  act(action: DiagnosticsAction, count?: number): Promise<ActionResult> {
    const api = this.api
    let call: Promise<ActionResult>
    switch (action) {
      case 'kill-host':
        call = api.killHost()
        break
      case 'stop-host':
        call = api.stopHost()
        break
      case 'start-host':
        call = api.startHost()
        break
      case 'burst':
        call = api.burst(count ?? 0)
        break
    }
    return call.catch(errorResult)
  }

  dispose(): void {
    this.disposed = true
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.stopWatchingGone?.()
    this.stopWatchingGone = undefined
  }
}
