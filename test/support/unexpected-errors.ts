import { setUnexpectedErrorHandler } from '../../src/main/base/unexpected-error'

/**
 * What `onUnexpectedError` received during the current test. The setup file
 * (`unexpected-errors.setup.ts`) installs the recorder and fails any test that leaves a report
 * behind; a test that expects a report takes it with `takeUnexpectedErrors` and asserts on it.
 */
const reported: unknown[] = []

export function recordUnexpectedErrors(): void {
  setUnexpectedErrorHandler((err) => {
    reported.push(err)
  })
}

/** Returns the reports so far and forgets them (so they no longer fail the test). */
export function takeUnexpectedErrors(): unknown[] {
  return reported.splice(0)
}

/** The error a test fails with when `errors` were reported and nobody took them. */
export function unexpectedErrorsFailure(errors: unknown[]): Error {
  const list = errors.map((e) => (e instanceof Error ? (e.stack ?? e.message) : String(e))).join('\n---\n')
  // A plain Error whose message carries every report: vitest shows an AggregateError as its first
  // inner error only, which would hide that the setup is what failed the test.
  return new Error(
    `${errors.length} unexpected error(s) were reported during this test (a listener or callback threw):\n${list}`,
    { cause: errors[0] },
  )
}
