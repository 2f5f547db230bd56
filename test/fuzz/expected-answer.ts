import type { ErrorCode } from '../../src/shared/protocol'
import type { Verdict } from './frame-arbitraries'
import type { Frame } from './fuzz-client'

/** Where a fuzzed frame is sent: a fresh connection, or a registered tool's. */
export type FuzzContext = 'fresh' | 'tool'

/**
 * What the launcher must answer, and whether the connection survives, per ARCHITECTURE §2:
 * 1. over MAX_FRAME_BYTES → `frame_too_large`, fatal;
 * 2. invalid (UTF-8, JSON, object, cmd, fields) → `invalid_command`, fatal before `register`;
 * 3. a well-formed command other than `register` before registering → `not_registered`, fatal;
 * 4. a `register` with a wrong token → `unauthorized`, fatal.
 * After registering (a tool): a second `register` → `already_registered`; `ping` → `pong`;
 * `goodbye` closes; any other command → `invalid_command` (a tool may only ping), all non-fatal.
 */
export type Expected =
  | { answer: 'error'; code: ErrorCode; fatal: boolean }
  | { answer: 'pong'; nonce: number }
  | { answer: 'registered' }
  /** No frame; the connection ends (goodbye, or a partial line and the client's own close). */
  | { answer: 'close' }

export function expectedAnswer(context: FuzzContext, verdict: Verdict): Expected {
  const error = (code: ErrorCode, fatal: boolean): Expected => ({ answer: 'error', code, fatal })
  const isFresh = context === 'fresh'
  switch (verdict.type) {
    case 'too-large':
      return error('frame_too_large', true)
    case 'invalid':
      return error('invalid_command', isFresh)
    case 'partial':
      return { answer: 'close' }
    case 'valid':
      if (isFresh) {
        if (verdict.cmd !== 'register') return error('not_registered', true)
        return verdict.tokenOk ? { answer: 'registered' } : error('unauthorized', true)
      }
      switch (verdict.cmd) {
        case 'register':
          return error('already_registered', false)
        case 'ping':
          return { answer: 'pong', nonce: verdict.nonce! }
        case 'goodbye':
          return { answer: 'close' }
        default:
          return error('invalid_command', false)
      }
  }
}

/** Why `frame` is not the expected answer, or undefined when it is. */
export function mismatch(expected: Expected, frame: Frame | undefined): string | undefined {
  const got = frame === undefined ? 'nothing (connection closed)' : JSON.stringify(frame).slice(0, 300)
  switch (expected.answer) {
    case 'close':
      return frame === undefined ? undefined : `expected no answer, got ${got}`
    case 'registered':
      return frame?.event === 'registered' && typeof frame.client_id === 'number'
        ? undefined
        : `expected registered, got ${got}`
    case 'pong':
      return frame?.event === 'pong' && frame.nonce === expected.nonce
        ? undefined
        : `expected pong ${expected.nonce}, got ${got}`
    case 'error':
      return frame?.event === 'error' &&
        frame.code === expected.code &&
        frame.fatal === expected.fatal &&
        frame.version === 0 &&
        typeof frame.message === 'string' &&
        frame.message.length > 0
        ? undefined
        : `expected ${expected.fatal ? 'fatal' : 'non-fatal'} ${expected.code}, got ${got}`
  }
}
