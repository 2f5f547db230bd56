/** A promise with its settle functions, for calls that resolve when a later write settles. */
export interface Deferred<T> {
  readonly promise: Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}

// The Promise constructor calls its executor synchronously, so one shared executor can hand the
// settle functions over through these two slots. A closure per call would cost an allocation (and
// a context) for every command sent.
let capturedResolve: ((value: never) => void) | undefined
let capturedReject: ((error: unknown) => void) | undefined
const captureSettlers = (resolve: (value: never) => void, reject: (error: unknown) => void): void => {
  capturedResolve = resolve
  capturedReject = reject
}

export function deferred<T>(): Deferred<T> {
  const promise = new Promise<T>(captureSettlers)
  const d: Deferred<T> = { promise, resolve: capturedResolve!, reject: capturedReject! }
  capturedResolve = undefined
  capturedReject = undefined
  return d
}
