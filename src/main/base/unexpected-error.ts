/**
 * One process-wide place for errors nobody can handle where they happen: a listener that threw
 * inside an Emitter, a callback the caller will never hear back from. Modelled on VS Code's
 * `onUnexpectedError` (base/common/errors.ts).
 *
 * The default handler logs to `console.error` and never rethrows (the component that caught the
 * error goes on, and the other listeners still run). Entry points install one that logs through
 * their logger; the test setup installs one that fails the running test.
 */
export type UnexpectedErrorHandler = (err: unknown) => void

const consoleHandler: UnexpectedErrorHandler = (err) => {
  console.error('[hostpipe] unexpected error:', err)
}

let handler: UnexpectedErrorHandler = consoleHandler

/** Reports `err` to the current handler. Never throws, whatever the handler does. */
export function onUnexpectedError(err: unknown): void {
  try {
    handler(err)
  } catch (handlerError) {
    consoleHandler(handlerError)
  }
}

/**
 * Replaces the process-wide handler and returns the previous one (so a test can put it back).
 * Passing undefined restores the default (`console.error`).
 */
export function setUnexpectedErrorHandler(next: UnexpectedErrorHandler | undefined): UnexpectedErrorHandler {
  const previous = handler
  handler = next ?? consoleHandler
  return previous
}
