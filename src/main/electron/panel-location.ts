import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Where the diagnostics panel is loaded from: electron-vite's dev server in development
 * (`ELECTRON_RENDERER_URL`), else the built `out/renderer/index.html` next to `out/main`.
 */
export type PanelLocation = { kind: 'dev-server'; url: string } | { kind: 'file'; path: string; url: string }

export function resolvePanelLocation(
  mainDir: string,
  env: Record<string, string | undefined>,
  isPackaged: boolean,
): PanelLocation {
  const devUrl = env.ELECTRON_RENDERER_URL
  if (!isPackaged && devUrl && isHttpUrl(devUrl)) return { kind: 'dev-server', url: devUrl }
  const path = join(mainDir, '..', 'renderer', 'index.html')
  return { kind: 'file', path, url: pathToFileURL(path).href }
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    return false
  }
}
