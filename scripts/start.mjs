// `npm start`: build, make sure Electron's binary is there, and launch the app. Where no binary can
// be had (offline machines, CI), say why in one line on stderr and run the headless launcher, which
// prints the panel's URL on stdout.
import { spawn, spawnSync } from 'node:child_process'
import { electronInstallScript, findElectronBinary } from './electron-binary.mjs'

const args = process.argv.slice(2)

const build = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], {
  stdio: ['ignore', 'ignore', 'inherit'],
})
if (build.status !== 0) {
  console.error('hostpipe: build failed')
  process.exit(build.status ?? 1)
}

let binary = findElectronBinary()
let why = ''
if (!binary) {
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
  }
}

const child = binary
  ? spawn(binary, ['out/main/index.js', ...args], { stdio: 'inherit' })
  : (console.error(`hostpipe: no Electron binary available (${why}); running headless instead.`),
    spawn(process.execPath, ['out/main/headless.js', ...args], { stdio: 'inherit' }))

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
