// Copies the built panel (electron-vite's out/renderer and out/preload) into dist/, beside the
// library entries that load it: startDiagnosticsServer serves dist/renderer, and
// openDiagnosticsWindow loads it with dist/preload/index.cjs.
import { cpSync, existsSync, rmSync } from 'node:fs'

for (const part of ['renderer', 'preload']) {
  const from = `out/${part}`
  if (!existsSync(from)) {
    console.error(`copy-panel: ${from} is missing: run \`electron-vite build\` first`)
    process.exit(1)
  }
  rmSync(`dist/${part}`, { recursive: true, force: true })
  cpSync(from, `dist/${part}`, { recursive: true })
}
