// The launcher's side of test/fixtures/streams/definitions.mjs (the host's side, which uses the
// built package): the same definitions, from the source. `badChunk`'s chunks are stricter here
// than on the host, so a chunk the host sends can fail at the launcher
// (test/integration/fixture-definitions.test.ts checks that both sides agree otherwise).
import { z } from 'zod'
import { defineCommands, defineEvents } from '../../src/lib/index'

export const streamCommands = defineCommands({
  count: {
    input: z.object({ n: z.number().int().nonnegative(), delayMs: z.number().int().nonnegative() }),
    output: z.object({ count: z.number() }),
    stream: z.number(),
  },
  tagged: {
    input: z.object({ n: z.number().int().nonnegative(), delayMs: z.number().int().nonnegative() }),
    output: z.object({ pid: z.number() }),
    stream: z.object({ pid: z.number(), i: z.number() }),
  },
  scan: {
    input: z.object({ n: z.number().int().nonnegative() }),
    output: z.object({ count: z.number() }),
    stream: z.number(),
    progress: z.object({ done: z.number() }),
  },
  blobs: {
    input: z.object({ n: z.number().int().nonnegative(), size: z.number().int().positive() }),
    output: z.object({ count: z.number() }),
    stream: z.string(),
  },
  badChunk: { input: z.object({}), output: z.object({}), stream: z.object({ n: z.number().max(1) }) },
  job: {
    input: z.object({ steps: z.number().int().positive() }),
    output: z.object({ ok: z.boolean() }),
    progress: z.object({ done: z.number() }),
  },
  ticks: { input: z.object({ n: z.number().int().nonnegative() }), output: z.object({ pid: z.number() }) },
  // `n` chunks of `size` bytes, chunk i all i; emits `piece{i, data}` (i+1 bytes of i) before each.
  pieces: {
    input: z.object({ n: z.number().int().nonnegative(), size: z.number().int().nonnegative() }),
    output: z.object({ last: z.instanceof(Uint8Array) }),
    stream: z.instanceof(Uint8Array),
  },
  // Yields `n` chunks from ONE buffer it refills before each yield (chunk i: `size` bytes of i).
  refilled: {
    input: z.object({ n: z.number().int().nonnegative(), size: z.number().int().nonnegative() }),
    output: z.object({}),
    stream: z.instanceof(Uint8Array),
  },
  // Reports `steps` progress values, value i carrying `size` bytes of i, then returns.
  bytesJob: {
    input: z.object({ steps: z.number().int().positive(), size: z.number().int().nonnegative() }),
    output: z.object({ ok: z.boolean() }),
    progress: z.object({ done: z.number(), data: z.instanceof(Uint8Array) }),
  },
  add: { input: z.object({ a: z.number(), b: z.number() }), output: z.object({ sum: z.number() }) },
})

export const streamEvents = defineEvents({
  produced: z.object({ i: z.number() }),
  closed: z.object({ command: z.string(), reason: z.string() }),
  tick: z.object({ pid: z.number(), i: z.number() }),
  ready: z.object({ pid: z.number(), role: z.string() }),
  piece: z.object({ i: z.number(), data: z.instanceof(Uint8Array) }),
})
