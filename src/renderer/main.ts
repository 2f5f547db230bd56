/**
 * The diagnostics panel. In Electron it reads `window.pipeDiagnostics` (the preload bridge);
 * in a browser, the headless launcher's HTTP API with the token from the page URL.
 */
import { tokenFromSearch } from './api-client'
import { BridgeSource } from './bridge-source'
import { h } from './dom'
import { HttpSource } from './http-source'
import { PanelController } from './panel-controller'
import type { PanelSource } from './panel-source'
import { PanelView } from './panel-view'
import { sharedEventSourceFactory } from './shared-event-source'
import { showBlockingMessage, showUnauthorized } from './unauthorized-view'

function createSource(): PanelSource | undefined {
  const bridge = window.pipeDiagnostics
  if (bridge) return new BridgeSource(bridge)
  // A file:// page has no API to fall back to: the bridge is the only way in.
  if (location.protocol === 'file:') return undefined
  const token = tokenFromSearch(location.search)
  return new HttpSource({
    origin: location.origin,
    token,
    fetch: (url, init) => fetch(url, init),
    // One stream for all the tabs of this token: browsers allow 6 connections per origin.
    openEventSource: sharedEventSourceFactory(
      token,
      {
        locks: navigator.locks,
        BroadcastChannel: typeof BroadcastChannel === 'function' ? BroadcastChannel : undefined,
        subtle: globalThis.crypto?.subtle,
      },
      (url) => new EventSource(url),
    ),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  })
}

function main(): void {
  const root = document.getElementById('app')
  if (!root) throw new Error('panel markup is missing #app')
  const source = createSource()
  if (!source) {
    showBlockingMessage(
      document,
      'Diagnostics bridge unavailable',
      h('p', {}, 'The preload script did not load.'),
    )
    return
  }
  const controller = new PanelController(new PanelView(root), source, () => showUnauthorized(document))
  controller.start()
  window.addEventListener('pagehide', () => controller.dispose(), { once: true })
  // Back from the back/forward cache the disposed panel would sit frozen; start afresh instead.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload()
  })
}

main()
