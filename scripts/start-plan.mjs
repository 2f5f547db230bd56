// What `npm start` decides, apart from doing it: whether the build is current, whether a failed
// Electron download is still remembered, what to launch, the fallback line, the exit code and when
// its parent is gone. The file system, the clock and the timer come in as arguments, so each
// decision is tested with fakes (test/scripts/start-plan.test.ts); scripts/start.mjs does the rest.
import { join } from 'node:path'

/** The bundle `npm start` launches in Electron; its mtime is the build's. */
export const BUILT_ENTRY = 'out/main/index.js'
/** The headless launcher's bundle, run under Node when no Electron binary can run. */
export const HEADLESS_ENTRY = 'out/main/headless.js'
/** What the build is made from: a newer file under any of these makes the build stale. */
export const BUILD_SOURCES = [
  'src',
  'package.json',
  'electron.vite.config.ts',
  'tsconfig.node.json',
  'tsconfig.web.json',
]
/** Holds why the last Electron download failed; its mtime is when. */
export const NO_ELECTRON_MARK = 'node_modules/.cache/hostpipe/electron-unavailable'
/** How long a failed download is remembered: a day, in ms. */
export const NO_ELECTRON_FOR_MS = 24 * 60 * 60 * 1000
/** Setting it to `1` retries the download although a failure is remembered. */
export const RETRY_ELECTRON_ENV = 'HOSTPIPE_RETRY_ELECTRON'
/** How often the parent process is checked, in ms. */
export const PARENT_CHECK_MS = 500

/** The newest modification time under `path` (the path itself included), in ms. */
export function newestMtime(fs, path) {
  const stat = fs.statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of fs.readdirSync(path)) newest = Math.max(newest, newestMtime(fs, join(path, entry)))
  return newest
}

/** Whether `built` exists and is newer than every file under the `sources` that exist. */
export function isBuildCurrent(fs, built = BUILT_ENTRY, sources = BUILD_SOURCES) {
  if (!fs.existsSync(built)) return false
  const newestSource = Math.max(...sources.filter((s) => fs.existsSync(s)).map((s) => newestMtime(fs, s)))
  return newestSource < fs.statSync(built).mtimeMs
}

/**
 * Why the last download failed, if it failed at most `NO_ELECTRON_FOR_MS` before `nowMs` and
 * `env` does not ask for a retry; otherwise undefined.
 */
export function rememberedDownloadFailure(fs, { nowMs, env, mark = NO_ELECTRON_MARK }) {
  if (env[RETRY_ELECTRON_ENV] === '1' || !fs.existsSync(mark)) return undefined
  if (nowMs - fs.statSync(mark).mtimeMs > NO_ELECTRON_FOR_MS) return undefined
  return fs.readFileSync(mark, 'utf8').trim()
}

/** The reason given for a failure remembered from an earlier start. */
export function rememberedReason(failure) {
  return `${failure}; not retried for a day, ${RETRY_ELECTRON_ENV}=1 retries`
}

/**
 * Why Electron's installer left no binary: its first stderr (or spawn error) line that speaks of
 * an error or a failure, else its exit status.
 */
export function downloadFailureReason({ stderr, errorMessage, status }) {
  const detail = `${stderr ?? ''}${errorMessage ?? ''}`.split('\n').find((l) => /error|fail/i.test(l))
  return detail ? detail.trim() : `install.js exited with ${status}`
}

/** The one stderr line `npm start` prints before it runs the headless launcher instead. */
export function headlessFallbackLine(why) {
  return `hostpipe: no Electron binary available (${why}); running headless instead.`
}

/** The process to launch: the Electron app where a binary is, else the headless launcher. */
export function launchCommand({ binary, nodePath, args }) {
  return binary
    ? { file: binary, args: [BUILT_ENTRY, ...args] }
    : { file: nodePath, args: [HEADLESS_ENTRY, ...args] }
}

/** `npm start`'s exit code for how the app ended: its own code, else 1 when a signal ended it. */
export function exitCodeOf(code, signal) {
  return code ?? (signal ? 1 : 0)
}

/**
 * Calls `onGone` on each check (every `PARENT_CHECK_MS`) that finds the parent changed from the one
 * seen now: `npm` may go (a signal sent to it alone) without passing the signal on, and the app
 * goes with it rather than outlive the terminal that started it. The timer does not keep the
 * process alive. Returns a function that stops the checks.
 */
export function watchParent({
  readPpid,
  onGone,
  setInterval: every = setInterval,
  clearInterval: stop = clearInterval,
}) {
  const parent = readPpid()
  const timer = every(() => {
    if (readPpid() !== parent) onGone()
  }, PARENT_CHECK_MS)
  timer?.unref?.()
  return () => stop(timer)
}
