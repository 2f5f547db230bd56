/** Small DOM helpers; the panel is plain DOM, without a framework. */

/** The element with `data-testid` (or `data-role`) `id` under `root`; throws if the page lacks it. */
export function find<T extends HTMLElement = HTMLElement>(root: ParentNode, id: string): T {
  const el = root.querySelector<T>(`[data-testid="${id}"], [data-role="${id}"]`)
  if (!el) throw new Error(`panel markup is missing [data-testid|data-role="${id}"]`)
  return el
}

/** Sets text only when it changed, so unchanged values cost no layout. */
export function setText(el: Element, text: string): boolean {
  if (el.textContent === text) return false
  el.textContent = text
  return true
}

export function setAttr(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value)
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') el.className = value
    else el.setAttribute(name, value)
  }
  el.append(...children)
  return el
}
