import type { CounterName } from '../shared/diagnostics'

/** `droppedOverflow` → `dropped-overflow`. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
}

/** The stable `data-testid` of a counter's value, e.g. `counter-dropped-overflow`. */
export function counterTestId(name: CounterName): string {
  return `counter-${kebabCase(name)}`
}

/** The counter's visible label: `droppedOverflow` → `dropped overflow`. */
export function counterLabel(name: CounterName): string {
  return kebabCase(name).replace(/-/g, ' ')
}
