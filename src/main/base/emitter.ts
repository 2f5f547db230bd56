import { toDisposable, type Disposable } from './disposable'
import { onUnexpectedError } from './unexpected-error'

/**
 * Subscribes `listener` to an event; the returned Disposable unsubscribes it. What an Emitter hands
 * out, as `readonly onDidX = this.didX.event` (VS Code's `Event<T>`; named so here because
 * `Event` is the wire protocol's event type).
 */
export type Listenable<T> = (listener: (e: T) => void) => Disposable

/**
 * One event: listeners are called synchronously, in subscription order, by `fire`. A listener
 * that throws is reported to `onUnexpectedError` (never swallowed, never propagated into the code
 * that fired: it is usually mid-update) and the other listeners still run. A listener removed
 * while an event is being delivered is not called for it; one added is called from the next event.
 * Modelled on VS Code's `Emitter` (base/common/event.ts).
 */
export class Emitter<T> implements Disposable {
  /** One entry per subscription, so the same function subscribed twice is two subscriptions. */
  private listeners: Array<{ readonly fn: (e: T) => void }> = []
  private isDisposed = false

  /** Subscribes a listener; see Listenable. After `dispose()` it subscribes nothing. */
  readonly event: Listenable<T> = (fn) => {
    if (this.isDisposed) return toDisposable(() => {})
    const entry = { fn }
    // Copy on write: a `fire` in progress keeps iterating the array it started with.
    this.listeners = [...this.listeners, entry]
    return toDisposable(() => {
      this.listeners = this.listeners.filter((l) => l !== entry)
    })
  }

  get hasListeners(): boolean {
    return this.listeners.length > 0
  }

  get listenerCount(): number {
    return this.listeners.length
  }

  fire(e: T): void {
    const listeners = this.listeners
    for (const entry of listeners) {
      if (listeners !== this.listeners && !this.listeners.includes(entry)) continue
      try {
        entry.fn(e)
      } catch (err) {
        onUnexpectedError(err)
      }
    }
  }

  /** Drops every listener; later subscriptions are no-ops. */
  dispose(): void {
    this.isDisposed = true
    this.listeners = []
  }
}
