import type { PanelLocation } from './panel-location'

/**
 * True when `url` is the diagnostics panel itself: the same file (query and hash aside) when it
 * is loaded from disk, or the same origin when it comes from the dev server. Every IPC handler
 * checks its sender with this, so a frame that navigated elsewhere (or an iframe) gets nothing.
 */
export function isPanelUrl(url: string | undefined | null, panel: PanelLocation): boolean {
  if (!url) return false
  let actual: URL
  let expected: URL
  try {
    actual = new URL(url)
    expected = new URL(panel.url)
  } catch {
    return false
  }
  if (panel.kind === 'file') {
    return (
      actual.protocol === 'file:' && actual.host === expected.host && actual.pathname === expected.pathname
    )
  }
  return actual.origin === expected.origin
}
