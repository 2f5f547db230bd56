// Whatever a handler throws fails only its call, with a reason that says something, and never
// takes the host down (the executor goes on with the next command).
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CommandExecutor } from '../../src/main/host/command-executor'
import { DefinedCommandDispatcher } from '../../src/main/host/defined-command-dispatcher'
import { defineCommands } from '../../src/shared/define-commands'
import { describeThrown } from '../../src/shared/describe-thrown'
import type { HostInbound } from '../../src/shared/protocol'
import { ManualClock } from '../support/manual-clock'
import { settle } from '../support/memory-writer'

const commands = defineCommands({
  fail: { input: z.object({}), output: z.object({}) },
  ok: { input: z.object({}), output: z.object({ fine: z.boolean() }) },
})

const throwingEverywhere = new Proxy(
  {},
  {
    get: () => {
      throw new Error('trap')
    },
    getPrototypeOf: () => {
      throw new Error('trap')
    },
    has: () => {
      throw new Error('trap')
    },
    ownKeys: () => {
      throw new Error('trap')
    },
    getOwnPropertyDescriptor: () => {
      throw new Error('trap')
    },
  },
)
const revoked = Proxy.revocable({}, {})
revoked.revoke()
class HttpError extends Error {}
const withThrowingMessage = Object.defineProperty({}, 'message', {
  get() {
    throw new Error('no message for you')
  },
})
const withThrowingToString = {
  toString() {
    throw new Error('no text for you')
  },
  toJSON() {
    throw new Error('no JSON for you')
  },
}

const cases: Array<[string, () => unknown, string | RegExp]> = [
  ['an object with a message', () => ({ status: 404, message: 'not found' }), 'not found'],
  ['an Error', () => new Error('disk full'), 'disk full'],
  ['an Error without a message', () => new Error(), 'handler threw Error with no message'],
  ['a subclassed Error without a message', () => new HttpError(), 'handler threw HttpError with no message'],
  ['a TypeError without a message', () => new TypeError(), 'handler threw TypeError with no message'],
  ['a string', () => 'plain words', 'plain words'],
  ['an empty string', () => '', 'handler threw an empty string'],
  ['null', () => null, 'handler threw null'],
  ['undefined', () => undefined, 'handler threw undefined'],
  ['a number', () => 42, 'handler threw 42'],
  ['a boolean', () => false, 'handler threw false'],
  ['a BigInt', () => 7n, 'handler threw 7n'],
  ['a symbol', () => Symbol('oops'), 'handler threw Symbol(oops)'],
  ['a function', () => () => 1, 'handler threw a function'],
  ['an object without a message', () => ({ status: 500 }), 'handler threw {"status":500}'],
  ['an empty object', () => ({}), 'handler threw an object without a message'],
  ['a cycle without a message', () => cyclic(), 'handler threw an object without a message'],
  ['a message getter that throws', () => withThrowingMessage, 'handler threw an object without a message'],
  ['toString and toJSON that throw', () => withThrowingToString, 'handler threw an object without a message'],
  ['a Proxy that throws on every access', () => throwingEverywhere, /^handler threw /],
  ['a revoked Proxy', () => revoked.proxy, /^handler threw /],
  ['a message with a lone surrogate', () => new Error('bad \ud800 text'), 'bad \ufffd text'],
]

function cyclic(): object {
  const o: Record<string, unknown> = {}
  o.self = o
  return o
}

function makeHost(thrown: () => unknown) {
  const sent: HostInbound[] = []
  const executor = new CommandExecutor({
    handlers: new DefinedCommandDispatcher(commands, {
      fail: () => {
        throw thrown()
      },
      ok: () => ({ fine: true }),
    }),
    send: (f) => sent.push(f),
    clock: new ManualClock(),
  })
  return { executor, sent }
}

describe('what a handler throws', () => {
  it.each(cases)('%s becomes a reason, and the next call is served', async (_kind, thrown, reason) => {
    const { executor, sent } = makeHost(thrown)
    executor.enqueue(1, { cmd: 'fail', saga_id: 1 })
    executor.enqueue(2, { cmd: 'ok', saga_id: 2 })
    await settle()
    expect(sent).toHaveLength(3)
    expect(sent[0]).toMatchObject({ cmd: 'report_saga_action_failed', saga_id: 1 })
    const got = (sent[0] as { reason: string }).reason
    if (typeof reason === 'string') expect(got).toBe(reason)
    else expect(got).toMatch(reason)
    expect(sent.slice(1)).toEqual([
      { cmd: 'report_result', saga_id: 2, output: { fine: true } },
      { cmd: 'ack', seq: 2 },
    ])
  })

  it.each(cases)(
    '%s rejected by an async handler fails its call the same way',
    async (_kind, thrown, reason) => {
      const sent: HostInbound[] = []
      const executor = new CommandExecutor({
        handlers: new DefinedCommandDispatcher(commands, {
          fail: () => Promise.reject(thrown()),
          ok: () => ({ fine: true }),
        }),
        send: (f) => sent.push(f),
        clock: new ManualClock(),
      })
      executor.enqueue(1, { cmd: 'fail', saga_id: 1 })
      await settle()
      const got = (sent[0] as { reason: string }).reason
      if (typeof reason === 'string') expect(got).toBe(reason)
      else expect(got).toMatch(reason)
      expect(sent[1]).toEqual({ cmd: 'ack', seq: 1 })
    },
  )

  it('is never an empty reason, and is cut to the length asked for', () => {
    for (const [, thrown] of cases) expect(describeThrown(thrown()).length).toBeGreaterThan(0)
    expect(describeThrown(new Error('x'.repeat(10_000)), 'handler', 4000)).toHaveLength(4000)
    expect(describeThrown(null, 'reading it')).toBe('reading it threw null')
  })
})
