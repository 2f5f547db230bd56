/**
 * Vitest setup (vitest.config.ts `setupFiles`): whatever reaches `onUnexpectedError` during a
 * test (a listener that threw inside an Emitter, and so on) fails that test. Production code
 * never rethrows such errors, so without this an assertion inside a listener could never fail.
 */
import { afterAll, afterEach } from 'vitest'
import { recordUnexpectedErrors, takeUnexpectedErrors, unexpectedErrorsFailure } from './unexpected-errors'

recordUnexpectedErrors()

afterEach(() => {
  const errors = takeUnexpectedErrors()
  if (errors.length > 0) throw unexpectedErrorsFailure(errors)
})

// A report that arrives after the file's last test (a late timer or listener) fails the file.
afterAll(() => {
  const errors = takeUnexpectedErrors()
  if (errors.length > 0) throw unexpectedErrorsFailure(errors)
})
