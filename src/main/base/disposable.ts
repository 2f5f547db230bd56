/**
 * Something that holds a resource (a listener, a timer, a server, a child process) until it is
 * disposed. `dispose()` is idempotent. Modelled on VS Code's `IDisposable` (base/common/lifecycle.ts).
 */
export interface Disposable {
  dispose(): void
}

/** A Disposable that runs `fn` once, on its first `dispose()`. */
export function toDisposable(fn: () => void): Disposable {
  let isDisposed = false
  return {
    dispose() {
      if (isDisposed) return
      isDisposed = true
      fn()
    },
  }
}

/**
 * Owns Disposables and disposes them together, newest first (what was set up last is torn down
 * first). After its own `dispose()`, anything added is disposed at once: a component that is gone
 * cannot leak what it registers late. Modelled on VS Code's `DisposableStore`.
 */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = []
  private isDisposedFlag = false

  get isDisposed(): boolean {
    return this.isDisposedFlag
  }

  /** Takes ownership of `d` and returns it. */
  add<T extends Disposable>(d: T): T {
    if (this.isDisposedFlag) d.dispose()
    else this.items.push(d)
    return d
  }

  dispose(): void {
    if (this.isDisposedFlag) return
    this.isDisposedFlag = true
    for (let d = this.items.pop(); d; d = this.items.pop()) d.dispose()
  }
}
