// `npm start`: build (only when a source file is newer than the build), make sure Electron's binary
// is there, and launch the app. Where no binary can be had (offline machines, CI), say why in one
// line on stderr and run the headless launcher, which prints the panel's URL on stdout. A failed
// download is remembered for a day, so later starts go headless at once (HOSTPIPE_RETRY_ELECTRON=1
// tries again). The decisions live in ./start-plan.mjs; this file carries them out.
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { dirname } from 'node:path'
import { electronInstallScript, findElectronBinary } from './electron-binary.mjs'
import {
  downloadFailureReason,
  exitCodeOf,
  headlessFallbackLine,
  isBuildCurrent,
  launchCommand,
  NO_ELECTRON_MARK,
  rememberedDownloadFailure,
  rememberedReason,
  watchParent,
} from './start-plan.mjs'

const args = process.argv.slice(2)

if (!isBuildCurrent(fs)) {
  const build = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  if (build.status !== 0) {
    console.error('hostpipe: build failed')
    process.exit(build.status ?? 1)
  }
}

let binary = findElectronBinary()
let why = binary ? '' : rememberedDownloadFailure(fs, { nowMs: Date.now(), env: process.env })
if (!binary && why === undefined) {
  // Fetches the binary where the internet can be reached; fails fast where it cannot.
  const install = spawnSync(process.execPath, [electronInstallScript()], {
    encoding: 'utf8',
    timeout: 300_000,
  })
  binary = findElectronBinary()
  if (!binary) {
    why = downloadFailureReason({
      stderr: install.stderr,
      errorMessage: install.error?.message,
      status: install.status,
    })
    fs.mkdirSync(dirname(NO_ELECTRON_MARK), { recursive: true })
    fs.writeFileSync(NO_ELECTRON_MARK, `${why}\n`)
  }
} else if (!binary) {
  why = rememberedReason(why)
}

if (!binary) console.error(headlessFallbackLine(why))
const launch = launchCommand({ binary, nodePath: process.execPath, args })
const child = spawn(launch.file, launch.args, { stdio: 'inherit' })

const stop = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal))
watchParent({ readPpid: () => process.ppid, onGone: () => stop('SIGTERM') })
child.on('exit', (code, signal) => process.exit(exitCodeOf(code, signal)))
