// `npm start`: build (only when a source file is newer than the build), make sure Electron's binary
// is there, and launch the app. Where no binary can be had (offline machines, CI), say why in one
// line on stderr and run the headless launcher, which prints the panel's URL on stdout. A failed
// download is remembered for a day, so later starts go headless at once (HOSTPIPE_RETRY_ELECTRON=1
// tries again).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { electronInstallScript, findElectronBinary } from './electron-binary.mjs'

const args = process.argv.slice(2)
const BUILT = 'out/main/index.js'
const SOURCES = ['src', 'package.json', 'electron.vite.config.ts', 'tsconfig.node.json', 'tsconfig.web.json']
const NO_ELECTRON_MARK = 'node_modules/.cache/hostpipe/electron-unavailable'
const NO_ELECTRON_FOR_MS = 24 * 60 * 60 * 1000

/** The newest modification time under `path`, in ms. */
function newestMtime(path) {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

const isBuildCurrent =
  existsSync(BUILT) && Math.max(...SOURCES.filter(existsSync).map(newestMtime)) < statSync(BUILT).mtimeMs
if (!isBuildCurrent) {
  const build = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  if (build.status !== 0) {
    console.error('hostpipe: build failed')
    process.exit(build.status ?? 1)
  }
}

/** Why the last download failed, if it failed less than a day ago. */
function rememberedFailure() {
  if (process.env.HOSTPIPE_RETRY_ELECTRON === '1' || !existsSync(NO_ELECTRON_MARK)) return undefined
  if (Date.now() - statSync(NO_ELECTRON_MARK).mtimeMs > NO_ELECTRON_FOR_MS) return undefined
  return readFileSync(NO_ELECTRON_MARK, 'utf8').trim()
}

let binary = findElectronBinary()
let why = binary ? '' : rememberedFailure()
if (!binary && why === undefined) {
  // Fetches the binary where the internet can be reached; fails fast where it cannot.
  const install = spawnSync(process.execPath, [electronInstallScript()], {
    encoding: 'utf8',
    timeout: 300_000,
  })
  binary = findElectronBinary()
  if (!binary) {
    const detail = `${install.stderr ?? ''}${install.error?.message ?? ''}`
      .split('\n')
      .find((l) => /error|fail/i.test(l))
    why = detail ? detail.trim() : `install.js exited with ${install.status}`
    mkdirSync(dirname(NO_ELECTRON_MARK), { recursive: true })
    writeFileSync(NO_ELECTRON_MARK, `${why}\n`)
  }
} else if (!binary) {
  why = `${why}; not retried for a day, HOSTPIPE_RETRY_ELECTRON=1 retries`
}

const child = binary
  ? spawn(binary, ['out/main/index.js', ...args], { stdio: 'inherit' })
  : (console.error(`hostpipe: no Electron binary available (${why}); running headless instead.`),
    spawn(process.execPath, ['out/main/headless.js', ...args], { stdio: 'inherit' }))

const stop = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal))
// `npm` may go (a signal sent to it alone) without passing the signal on: the app goes with it
// rather than outlive the terminal that started it.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM')
}, 500).unref()
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
