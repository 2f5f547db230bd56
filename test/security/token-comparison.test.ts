import type * as Crypto from 'node:crypto'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { tokensEqual } from '../../src/main/ipc/secret-token'
import { makeServer, TOKEN } from '../support/ipc-server-harness'

/**
 * Both secrets of a launch (the socket's `register` token and the HTTP API token, which are the
 * same value) are compared as SHA-256 digests with `crypto.timingSafeEqual`: equal-length inputs,
 * so neither the content nor the length of the secret shows in the time a refusal takes.
 * `timingSafeEqual` is wrapped (not replaced) to see what it is given.
 */
const calls = vi.hoisted(() => [] as Array<[Uint8Array, Uint8Array]>)
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof Crypto>()
  return {
    ...real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls.push([a as Uint8Array, b as Uint8Array])
      return real.timingSafeEqual(a, b)
    },
  }
})

/** Wrong tokens of every length the schema lets through: empty, shorter, longer, multi-byte. */
const WRONG_TOKENS = [
  '',
  'x',
  TOKEN.slice(0, -1),
  TOKEN + 'x',
  TOKEN.toUpperCase(),
  'é'.repeat(512),
  'y'.repeat(1024),
]

const isDigestPair = ([a, b]: [Uint8Array, Uint8Array]): boolean => a.byteLength === 32 && b.byteLength === 32

beforeEach(() => {
  calls.length = 0
})

describe('the register token', () => {
  it('is compared as a digest with timingSafeEqual, once per register, whatever the length sent', () => {
    for (const token of WRONG_TOKENS) {
      const { connect, register } = makeServer()
      const conn = connect()
      calls.length = 0
      register(conn, { kind: 'tool', token })
      expect(conn.lastFrame()).toMatchObject({ event: 'error', code: 'unauthorized', fatal: true })
      expect(calls).toHaveLength(1)
      expect(isDigestPair(calls[0]!)).toBe(true)
    }
  })

  it('lets the right token through the same comparison', () => {
    const { connect, register } = makeServer()
    const conn = connect()
    register(conn, { kind: 'tool' })
    expect(conn.lastFrame()).toMatchObject({ event: 'registered' })
    expect(calls.filter(isDigestPair)).toHaveLength(1)
  })
})

describe('the diagnostics API token', () => {
  const SECRET = 'api-secret-0123456789'

  it('is compared as a digest with timingSafeEqual, whatever the length presented', () => {
    for (const presented of ['', 'a', SECRET.slice(1), SECRET + '=', 'z'.repeat(4096)]) {
      calls.length = 0
      expect(tokensEqual(presented, SECRET)).toBe(false)
      expect(calls).toHaveLength(1)
      expect(isDigestPair(calls[0]!)).toBe(true)
    }
    calls.length = 0
    expect(tokensEqual(SECRET, SECRET)).toBe(true)
    expect(calls).toHaveLength(1)
  })
})
