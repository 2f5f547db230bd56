// Types for scripts/start-plan.mjs (a plain script run by `npm start` before any build).

/** What the build check reads of a file: `node:fs`'s `Stats` fits. */
export interface StartFileStat {
  /** Last modification, in ms since the epoch. */
  mtimeMs: number
  isDirectory(): boolean
}

/** The synchronous slice of `node:fs` the decisions read; `node:fs` itself fits. */
export interface StartFileSystem {
  existsSync(path: string): boolean
  /** Throws for a missing path, as `node:fs` does. */
  statSync(path: string): StartFileStat
  readdirSync(path: string): string[]
  readFileSync(path: string, encoding: 'utf8'): string
}

export const BUILT_ENTRY: 'out/main/index.js'
export const HEADLESS_ENTRY: 'out/main/headless.js'
export const BUILD_SOURCES: readonly string[]
export const NO_ELECTRON_MARK: 'node_modules/.cache/hostpipe/electron-unavailable'
/** 24 h, in ms. */
export const NO_ELECTRON_FOR_MS: number
export const RETRY_ELECTRON_ENV: 'HOSTPIPE_RETRY_ELECTRON'
/** 500 ms. */
export const PARENT_CHECK_MS: number

/** The newest mtime (ms) of `path` and, for a directory, of everything under it. Throws if `path` is missing. */
export function newestMtime(fs: StartFileSystem, path: string): number

/**
 * Whether `built` (default `BUILT_ENTRY`) exists and is strictly newer than every file under the
 * existing `sources` (default `BUILD_SOURCES`); missing sources are skipped.
 */
export function isBuildCurrent(fs: StartFileSystem, built?: string, sources?: readonly string[]): boolean

/**
 * The text of `mark` (default `NO_ELECTRON_MARK`), trimmed, when its mtime is at most
 * `NO_ELECTRON_FOR_MS` before `nowMs` (ms since the epoch) and `env.HOSTPIPE_RETRY_ELECTRON` is not
 * `'1'`; otherwise undefined.
 */
export function rememberedDownloadFailure(
  fs: StartFileSystem,
  options: { nowMs: number; env: Record<string, string | undefined>; mark?: string },
): string | undefined

/** `failure` with the note that it is not retried for a day and how to retry. */
export function rememberedReason(failure: string): string

/**
 * The first line of `stderr` + `errorMessage` mentioning an error or a failure (trimmed), else
 * `install.js exited with <status>`.
 */
export function downloadFailureReason(install: {
  stderr?: string | null
  errorMessage?: string
  status: number | null
}): string

/** `hostpipe: no Electron binary available (<why>); running headless instead.` */
export function headlessFallbackLine(why: string): string

/** `binary` with `BUILT_ENTRY` when a binary is given, else `nodePath` with `HEADLESS_ENTRY`; `args` follow. */
export function launchCommand(options: {
  binary: string | undefined
  nodePath: string
  args: readonly string[]
}): { file: string; args: string[] }

/** `code` when the app exited with one, else 1 when a signal ended it, else 0. */
export function exitCodeOf(code: number | null, signal: string | null): number

/** A repeating timer as `setInterval` makes it; `unref` is called when present. */
export interface ParentWatchTimer {
  unref?(): unknown
}

/**
 * Reads the parent pid now, then every `PARENT_CHECK_MS` calls `onGone` whenever it differs.
 * `setInterval`/`clearInterval` default to the global ones. Returns a function stopping the checks.
 */
export function watchParent(options: {
  readPpid: () => number
  onGone: () => void
  setInterval?: (check: () => void, everyMs: number) => ParentWatchTimer
  clearInterval?: (timer: ParentWatchTimer) => void
}): () => void
