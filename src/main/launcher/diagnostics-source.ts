import type {
  ActionBody,
  ActionResult,
  DiagnosticsAction,
  DiagnosticsSnapshot,
} from '../../shared/diagnostics'
import type { Event } from '../../shared/protocol'

/**
 * What a diagnostics front end (the HTTP/SSE server, the Electron preload bridge) needs from the
 * launcher: the feed, live updates, and the four actions. Both front ends share it.
 */
export interface DiagnosticsSource {
  snapshot(): DiagnosticsSnapshot
  /**
   * Calls `fn` with a fresh snapshot whenever anything changed, at most every ~50 ms (so the
   * panel is ≤ 100 ms behind) and not at all while nothing changes. Returns the unsubscribe.
   */
  subscribe(fn: (s: DiagnosticsSnapshot) => void): () => void
  /**
   * `burst` takes `{count}`, `kill-host` an optional `{slot}` (default 0); the others take
   * nothing. Never throws: errors are `{ok:false}`, with a `code` where one applies.
   */
  act(action: DiagnosticsAction, body?: ActionBody): Promise<ActionResult>
  /**
   * Calls `fn` once when the launcher stops and its feed ends (at once if it has), so a front end
   * can tell its panel the launcher is gone. Returns the unsubscribe.
   */
  onDidEnd?(fn: () => void): () => void
}

/** What the diagnostics server and window need of a launcher; kept off the public type. */
export interface LauncherInternals {
  readonly source: DiagnosticsSource
  subscribeEvents(fn: (e: Event) => void): () => void
  readonly token: string
}

const internals = new WeakMap<object, () => LauncherInternals>()

/** Records how to reach `launcher`'s internals (`createAppLauncher` does, for each launcher). */
export function registerLauncherInternals(launcher: object, get: () => LauncherInternals): void {
  internals.set(launcher, get)
}

/**
 * The diagnostics source of a launcher made by `createAppLauncher`, for `startDiagnosticsServer`
 * and `openDiagnosticsWindow`. Throws a TypeError for any other object, or before `start()`.
 */
export function launcherInternals(launcher: object): LauncherInternals {
  const get = internals.get(launcher)
  if (!get) throw new TypeError('not a hostpipe launcher (use createLauncher or createElectronLauncher)')
  return get()
}
