// Where the Electron binary is, if one is installed. `require('electron')` would try to download
// it as a side effect, so this reads electron's own path file instead.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** @returns {string | undefined} the executable's path, or undefined when none is installed */
export function findElectronBinary() {
  let dir
  try {
    dir = dirname(require.resolve('electron/package.json'))
  } catch {
    return undefined
  }
  const pathFile = join(dir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const candidate = override
    ? join(override, relative ?? 'electron')
    : relative && join(dir, 'dist', relative)
  return candidate && existsSync(candidate) ? candidate : undefined
}

/** @returns {string} electron's install script */
export function electronInstallScript() {
  return join(dirname(require.resolve('electron/package.json')), 'install.js')
}
