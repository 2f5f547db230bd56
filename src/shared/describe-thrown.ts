/**
 * Whatever code threw, as one non-empty line fit to be a saga's failure reason (docs/protocol.md):
 * an error's or any object's own `message` when it is a non-empty string
 * (`throw { status: 404, message: 'not found' }` gives `not found`), a thrown string as it is, and
 * a description for the rest: `handler threw Error with no message`, `handler threw null`,
 * `handler threw 42`, `handler threw Symbol(x)`, `handler threw {"status":404}`.
 *
 * Never throws, whatever it is given: a `message` or `toString` getter that throws, a Proxy that
 * throws on every access, a revoked Proxy. The result is well-formed UTF-16 (a lone surrogate is
 * replaced by U+FFFD: the launcher refuses a frame holding one) and at most `maxChars` long.
 * `subject` names the thrower in a description (default `handler`).
 *
 * Runtime-free: no Node, no DOM.
 */

/** How much of a thrown object's JSON a reason shows. */
const PREVIEW_CHARS = 200

export function describeThrown(
  thrown: unknown,
  subject: string = 'handler',
  maxChars: number = 4000,
): string {
  let text: string
  try {
    text = describe(thrown, subject)
  } catch {
    text = `${subject} threw a value that cannot be described`
  }
  if (text.length > maxChars) text = text.slice(0, maxChars)
  return toWellFormed(text)
}

function describe(thrown: unknown, subject: string): string {
  const threw = `${subject} threw`
  switch (typeof thrown) {
    case 'string':
      return thrown === '' ? `${threw} an empty string` : thrown
    case 'undefined':
      return `${threw} undefined`
    case 'number':
    case 'boolean':
      return `${threw} ${String(thrown)}`
    case 'bigint':
      return `${threw} ${String(thrown)}n`
    case 'symbol':
      return `${threw} ${Symbol.prototype.toString.call(thrown)}`
    case 'function':
      return `${threw} a function`
  }
  if (thrown === null) return `${threw} null`
  const obj = thrown as object
  const message = attempt(() => (obj as { message?: unknown }).message)
  if (typeof message === 'string' && message !== '') return message
  const errorName = attempt(() => (obj instanceof Error ? errorNameOf(obj) : undefined))
  if (typeof errorName === 'string') return `${threw} ${errorName} with no message`
  const json = attempt(() => JSON.stringify(obj))
  if (typeof json === 'string' && json !== '{}')
    return `${threw} ${json.length > PREVIEW_CHARS ? json.slice(0, PREVIEW_CHARS) + '…' : json}`
  const text = attempt(() => String(obj))
  if (typeof text === 'string' && text !== '' && text !== '[object Object]') return `${threw} ${text}`
  return `${threw} an object without a message`
}

/** `TypeError`, or the class of a subclass that kept `Error`'s name (`class HttpError extends Error`). */
function errorNameOf(err: Error): string {
  const name = typeof err.name === 'string' && err.name !== '' ? err.name : 'Error'
  if (name !== 'Error') return name
  const ctor = attempt(() => err.constructor?.name)
  return typeof ctor === 'string' && ctor !== '' ? ctor : name
}

/** `fn()`, or undefined when it throws. */
function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn()
  } catch {
    return undefined
  }
}

/** `String.prototype.toWellFormed` (ES2024: Node 20); this project's lib is ES2022. */
function toWellFormed(s: string): string {
  return (s as unknown as { toWellFormed(): string }).toWellFormed()
}
