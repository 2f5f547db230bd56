import type { ActionResult, DiagnosticsAction, DiagnosticsSnapshot } from '../shared/diagnostics'

/**
 * How the panel's link to the launcher is doing, for the header and the stale-data dimming.
 * `gone`: the launcher stopped or no longer answers; the panel shows its last state as stale.
 */
export type LinkStatus = 'connecting' | 'live' | 'reconnecting' | 'gone'

export interface PanelSourceHandlers {
  snapshot(snapshot: DiagnosticsSnapshot): void
  status(status: LinkStatus): void
  /** The API refused the token: the panel replaces itself with a message. */
  unauthorized(): void
}

/** Where the panel's data comes from: the preload bridge in Electron, the HTTP API in a browser. */
export interface PanelSource {
  readonly kind: 'bridge' | 'http'
  start(handlers: PanelSourceHandlers): void
  act(action: DiagnosticsAction, count?: number): Promise<ActionResult>
  /** Stops every stream, timer and retry. */
  dispose(): void
}
