import { toDisposable, type Disposable } from './disposable'
import { Emitter, type Listenable } from './emitter'
import { onUnexpectedError } from './unexpected-error'

/**
 * An event that happens at most once and is remembered: a process exit, a stream closing, a
 * session ending. Only the first `fire` counts. A listener subscribed after it fired is called
 * with the value at once (synchronously) and gets an empty Disposable. As with Emitter, a
 * listener that throws is reported to `onUnexpectedError` and the others still run.
 */
export class OnceEmitter<T> implements Disposable {
  private fired: { readonly value: T } | undefined
  private readonly emitter = new Emitter<T>()

  readonly event: Listenable<T> = (listener) => {
    const fired = this.fired
    if (!fired) return this.emitter.event(listener)
    try {
      listener(fired.value)
    } catch (err) {
      onUnexpectedError(err)
    }
    return toDisposable(() => {})
  }

  get hasFired(): boolean {
    return this.fired !== undefined
  }

  /** The value it fired with, if it has. */
  get value(): T | undefined {
    return this.fired?.value
  }

  /** Fires once; later calls are ignored and return false. */
  fire(value: T): boolean {
    if (this.fired) return false
    this.fired = { value }
    this.emitter.fire(value)
    this.emitter.dispose()
    return true
  }

  /** Drops the listeners still waiting (the event will not be heard any more). */
  dispose(): void {
    this.emitter.dispose()
  }
}
