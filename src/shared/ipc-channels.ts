/**
 * The Electron IPC channels between the preload bridge (`window.pipeDiagnostics`) and the main
 * process. One file, so the two sides cannot drift apart. Runtime-free.
 */
export const IPC_CHANNELS = {
  /** invoke → DiagnosticsSnapshot */
  getSnapshot: 'pipe-diagnostics:get-snapshot',
  /** main → renderer push, one DiagnosticsSnapshot per message */
  snapshot: 'pipe-diagnostics:snapshot',
  /** main → renderer push, no payload: the launcher stopped, no snapshot follows */
  launcherGone: 'pipe-diagnostics:launcher-gone',
  /** invoke → ActionResult */
  killHost: 'pipe-diagnostics:kill-host',
  stopHost: 'pipe-diagnostics:stop-host',
  startHost: 'pipe-diagnostics:start-host',
  /** invoke(count: number) → ActionResult */
  burst: 'pipe-diagnostics:burst',
} as const

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS]
