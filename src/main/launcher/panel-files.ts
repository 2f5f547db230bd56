import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where the built diagnostics panel is, seen from the running bundle: `renderer/` and
 * `preload/index.cjs` beside the package's dist/ files, or `out/renderer` and `out/preload` next
 * to the app's own build (out/main, or out/main/chunks when electron-vite splits shared code).
 */
function findBeside(moduleUrl: string, relative: string): string {
  const here = dirname(fileURLToPath(moduleUrl))
  const candidates = [join(here, relative), join(here, '..', relative), join(here, '..', '..', relative)]
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!
}

/** The built panel's directory (holds index.html). */
export function defaultPanelDir(moduleUrl: string = import.meta.url): string {
  return dirname(findBeside(moduleUrl, join('renderer', 'index.html')))
}

/** The built preload script of the diagnostics window. */
export function defaultPreloadPath(moduleUrl: string = import.meta.url): string {
  return findBeside(moduleUrl, join('preload', 'index.cjs'))
}
