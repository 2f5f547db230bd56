/**
 * The steps every frame parser shares before a schema looks at the frame: the size cap, strict
 * UTF-8, JSON, "an object with a string tag", and the wording of their errors. No zod, so the
 * fast readers (`fast-frames.ts`) and the full parsers (`protocol.ts`) use the same code.
 *
 * Runtime-free: no Node, no DOM. Only `TextDecoder`.
 */
import { ReceivedByteFrame, type InboundFrame } from './byte-frame'
import { exceedsFrameLimit, MAX_FRAME_BYTES, type ParseError, type ParseResult } from './protocol-core'

const utf8Decoder = new TextDecoder('utf-8', { fatal: true })

/** A value as an error message shows it: strings quoted and cut at 40 characters. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') {
    const shown = value.length > 40 ? value.slice(0, 40) + '…' : value
    return JSON.stringify(shown)
  }
  if (typeof value === 'object') return 'an object'
  return String(value)
}

/** Checks the size (default MAX_FRAME_BYTES), and decodes bytes as strict UTF-8. */
export function decodeText(
  input: string | Uint8Array,
  maxFrameBytes: number = MAX_FRAME_BYTES,
): ParseResult<string> {
  if (typeof input === 'string') {
    if (exceedsFrameLimit(input, maxFrameBytes))
      return { ok: false, code: 'frame_too_large', message: `frame exceeds ${maxFrameBytes} bytes` }
    return { ok: true, frame: input }
  }
  if (input.byteLength > maxFrameBytes)
    return {
      ok: false,
      code: 'frame_too_large',
      message: `frame of ${input.byteLength} bytes exceeds ${maxFrameBytes} bytes`,
    }
  try {
    return { ok: true, frame: utf8Decoder.decode(input) }
  } catch {
    return { ok: false, code: 'invalid_command', message: 'frame is not valid UTF-8' }
  }
}

/**
 * Decodes bytes (strict UTF-8), a string or a byte frame (docs/protocol.md#byte-frames) into a
 * JSON object with a string tag, or an error. A byte frame that could not be read is refused
 * with its reason: `frame_too_large` when its stream can no longer be trusted, else
 * `invalid_command`.
 */
export function decodeObject(
  input: InboundFrame,
  tag: 'cmd' | 'event' | 'kind',
  maxFrameBytes: number = MAX_FRAME_BYTES,
): ParseResult<Record<string, unknown>> {
  if (input instanceof ReceivedByteFrame) return decodeByteFrame(input, tag, maxFrameBytes)
  const decoded = decodeText(input, maxFrameBytes)
  if (!decoded.ok) return decoded
  return parseObject(decoded.frame, tag)
}

function decodeByteFrame(
  frame: ReceivedByteFrame,
  tag: 'cmd' | 'event' | 'kind',
  maxFrameBytes: number,
): ParseResult<Record<string, unknown>> {
  if (frame.error)
    return {
      ok: false,
      code: frame.isFatal ? 'frame_too_large' : 'invalid_command',
      message: `byte frame refused (${frame.error.code}): ${frame.error.message}`,
    }
  if (frame.byteLength > maxFrameBytes)
    return {
      ok: false,
      code: 'frame_too_large',
      message: `byte frame of ${frame.byteLength} bytes exceeds ${maxFrameBytes} bytes`,
    }
  return checkDecoded(frame.value, tag)
}

/** `String.prototype.isWellFormed` (ES2024: Node 20, Chromium 111); this project's lib is ES2022. */
export const isWellFormed = (s: string): boolean =>
  (s as unknown as { isWellFormed(): boolean }).isWellFormed()

/**
 * The first string (value or key) in a decoded JSON value that is not well-formed UTF-16 (it
 * holds a lone surrogate, which JSON can spell as `\ud800`), as a path for the error message;
 * undefined when every string is well-formed. Iterative, so deep nesting cannot overflow the stack.
 */
function findMalformedString(root: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value: root, path: '' }]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item
    if (typeof value === 'string') {
      if (!isWellFormed(value)) return path === '' ? 'the frame' : '`' + path + '`'
    } else if (value instanceof Uint8Array) {
      // A byte frame's block: bytes, not text.
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], path: path === '' ? String(i) : `${path}.${i}` })
    } else if (typeof value === 'object' && value !== null) {
      const keys = Object.keys(value)
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!
        if (!isWellFormed(key)) return `a key in ${path === '' ? 'the frame' : '`' + path + '`'}`
        stack.push({
          value: (value as Record<string, unknown>)[key],
          path: path === '' ? key : `${path}.${key}`,
        })
      }
    }
  }
  return undefined
}

export function parseObject(
  text: string,
  tag: 'cmd' | 'event' | 'kind',
): ParseResult<Record<string, unknown>> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return {
      ok: false,
      code: 'invalid_command',
      message: `frame is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    }
  }
  return checkDecoded(value, tag)
}

/** The checks after JSON.parse: well-formed strings, an object, a string tag. */
function checkDecoded(value: unknown, tag: 'cmd' | 'event' | 'kind'): ParseResult<Record<string, unknown>> {
  // A lone surrogate cannot be encoded as UTF-8: refused as malformed bytes are, so whatever a
  // consumer in another language re-encodes from our events is valid UTF-8.
  const malformed = findMalformedString(value)
  if (malformed !== undefined)
    return {
      ok: false,
      code: 'invalid_command',
      message: `frame is not valid UTF-8: ${malformed} holds a lone surrogate (a \\uD800-\\uDFFF escape without its pair)`,
    }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      ok: false,
      code: 'invalid_command',
      message: `frame must be a JSON object, got ${describe(value)}`,
    }
  const obj = value as Record<string, unknown>
  if (typeof obj[tag] !== 'string')
    return {
      ok: false,
      code: 'invalid_command',
      message:
        obj[tag] === undefined
          ? `missing field \`${tag}\``
          : `\`${tag}\` must be a string, got ${describe(obj[tag])}`,
    }
  return { ok: true, frame: obj }
}

export function unknownTag(tag: string, got: string, known: readonly string[]): ParseError {
  return {
    ok: false,
    code: 'invalid_command',
    message: `unknown ${tag} ${describe(got)}; expected one of ${known.join(', ')}`,
  }
}

export const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

// The pieces of the hot-frame patterns (a frame in its exact `JSON.stringify` spelling, read
// without JSON.parse: the launcher's acks and reports, the host's commands). An integer is plain
// digits without a leading zero, at most 16 of them; `safeIntOf` then refuses what is above
// MAX_SAFE_INTEGER, as the schemas do. A label is 1–256 characters JSON never escapes.
export const HOT_INT = '(0|[1-9][0-9]{0,15})'
export const HOT_LABEL = '([A-Za-z0-9_.:-]{1,256})'

/** The value of `HOT_INT` digits, or undefined above MAX_SAFE_INTEGER. */
export function safeIntOf(digits: string | undefined): number | undefined {
  const n = Number(digits)
  return n <= Number.MAX_SAFE_INTEGER ? n : undefined
}

/** The value of the `HOT_INT` digits `text[from, end)`, or -1 above MAX_SAFE_INTEGER. */
export function hotIntValue(text: string, from: number, end: number): number {
  let n = 0
  // Exact up to 2^53; a larger number comes out ≥ 2^53 all the same, so the check below holds.
  for (let i = from; i < end; i++) n = n * 10 + (text.charCodeAt(i) - 0x30)
  return n <= Number.MAX_SAFE_INTEGER ? n : -1
}

// What the schemas' field rules accept, checked by hand (the fast readers, fast-frames.ts).
const LABEL_MAX_CHARS = 256

/** What the schemas' `nonNegInt` accepts: an integer in 0 … MAX_SAFE_INTEGER. */
export function isNonNegInt(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER
  )
}

export function isPositiveInt(value: unknown): value is number {
  return isNonNegInt(value) && value >= 1
}

export function isOptionalNonNegInt(value: unknown): value is number | undefined {
  return value === undefined || isNonNegInt(value)
}

export function isLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= LABEL_MAX_CHARS
}
