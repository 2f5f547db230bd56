import { UNAUTHORIZED_MESSAGE } from './api-client'
import { h } from './dom'

/** Replaces the whole panel with a message: nothing stale is left on screen to be misread. */
export function showBlockingMessage(doc: Document, title: string, ...detail: Node[]): void {
  const main = h(
    'main',
    { class: 'unauthorized', role: 'alert', 'data-testid': 'panel-message' },
    h('h1', {}, title),
    ...detail,
  )
  doc.body.replaceChildren(main)
  doc.title = `${title.split(':')[0] ?? title} · hostpipe`
}

/** The API refused this page's token. */
export function showUnauthorized(doc: Document): void {
  showBlockingMessage(
    doc,
    UNAUTHORIZED_MESSAGE,
    h('p', {}, 'Open the exact link the launcher printed:'),
    h('p', {}, h('code', {}, 'Diagnostics: http://127.0.0.1:PORT/?token=…')),
    h('p', {}, 'The token changes with every launch.'),
  )
}
