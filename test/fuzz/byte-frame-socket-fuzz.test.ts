// Byte frames as a hostile or broken host sends them to the real launcher server over a real Unix
// socket, after registering with the `bytes` feature: good, truncated, oversized, too many blocks,
// damaged lengths, flipped bytes, random bytes after a 0x00 marker, written in pieces of any size.
// The launcher never crashes, answers each bad frame with an error naming what was wrong, closes
// the connection only when the stream can no longer be trusted, and holds no memory afterwards.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HostPipe, type Logger } from '../../src/main/host-pipe'
import { LauncherServer } from '../../src/main/ipc/launcher-server'
import { SocketServer } from '../../src/main/ipc/socket-server'
import { ByteFrameDecoder, encodeByteFrameBytes } from '../../src/shared/byte-frame'
import { ByteFrameError, type ByteFrameErrorCode } from '../../src/shared/byte-value'
import { frameLimitFor } from '../../src/shared/protocol-core'
import { FEATURE_BYTES } from '../../src/shared/protocol-features'
import { waitFor } from '../support/ipc-wait'
import { retainedMemoryMb } from '../support/retained-memory'
import { FuzzClient, type Frame } from './fuzz-client'

const isLong = process.env.HOSTPIPE_FUZZ === 'long'
const RUNS = isLong ? 2_000 : 200
const SEED = Number(process.env.HOSTPIPE_FUZZ_SEED ?? 7_310_2025)
const MAX_PAYLOAD_BYTES = 64 * 1024
const MAX_FRAME_BYTES = frameLimitFor(MAX_PAYLOAD_BYTES)
/** Memory the launcher may still hold after the run, past its baseline, once garbage is collected. */
const RETAINED_GROWTH_LIMIT_MB = 8
/** Refusals after which where the next frame starts is unknown. */
const FATAL_CODES: ReadonlySet<ByteFrameErrorCode> = new Set([
  'FRAME_TOO_LARGE',
  'TOO_MANY_BLOCKS',
  'TRUNCATED',
])

/** A ping as a byte frame: its bytes, and the nonce a good one is answered with. */
const pingFrame = fc
  .record({
    nonce: fc.integer({ min: 1, max: 1_000_000 }),
    blocks: fc.array(fc.uint8Array({ maxLength: 2048 }), { maxLength: 4 }),
  })
  .map(({ nonce, blocks }) => ({ nonce, bytes: encodeByteFrameBytes({ cmd: 'ping', nonce, blocks }) }))

const u32At = (bytes: Uint8Array, offset: number, n: number): Uint8Array => {
  const out = bytes.slice()
  new DataView(out.buffer).setUint32(Math.min(offset, out.byteLength - 4), n)
  return out
}

/** A frame with what was done to it. */
const damagedFrame = fc.oneof(
  pingFrame.map((f) => ({ damage: 'none', ...f })),
  fc.tuple(pingFrame, fc.nat()).map(([f, cut]) => ({
    damage: 'truncated',
    ...f,
    bytes: f.bytes.subarray(0, 1 + (cut % (f.bytes.length - 1))),
  })),
  fc
    .tuple(pingFrame, fc.integer({ min: MAX_FRAME_BYTES, max: 0xffffffff }))
    .map(([f, n]) => ({ damage: 'oversized header', ...f, bytes: u32At(f.bytes, 5, n) })),
  fc
    .tuple(pingFrame, fc.integer({ min: 4097, max: 0xffffffff }))
    .map(([f, n]) => ({ damage: 'too many blocks', ...f, bytes: u32At(f.bytes, 1, n) })),
  fc
    .tuple(pingFrame, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 0xffffffff }))
    .map(([f, at, n]) => ({ damage: 'length', ...f, bytes: u32At(f.bytes, 1 + 4 * (at - 1), n) })),
  fc.tuple(pingFrame, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([f, at, b]) => {
    const bytes = f.bytes.slice()
    bytes[9 + (at % (bytes.length - 9))] = b
    return { damage: 'flipped byte', ...f, bytes }
  }),
  pingFrame.map((f) => {
    // A block's path renamed to a key the value does not have (same length, so sizes still fit).
    const text = Buffer.from(f.bytes).toString('latin1').replace('["blocks",', '["blockz",')
    return { damage: 'bad path', ...f, bytes: new Uint8Array(Buffer.from(text, 'latin1')) }
  }),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((tail) => {
    const bytes = new Uint8Array(tail.byteLength + 1)
    bytes.set(tail, 1)
    return { damage: 'random after 0x00', nonce: -1, bytes }
  }),
)

type Verdict =
  | { kind: 'frame' }
  | { kind: 'incomplete' }
  | { kind: 'leftover' }
  | { kind: 'refused'; code: ByteFrameErrorCode }

/**
 * What the launcher must make of `bytes`, from a decoder alone: one whole frame (`frame`: its
 * command is then judged as any other, the connection stays), a refusal (`code`), or a frame not
 * finished when the bytes end (`incomplete`). `leftover`: a frame ended before the bytes did.
 */
function verdictOf(bytes: Uint8Array): Verdict {
  let frames = 0
  let bad: ByteFrameErrorCode | undefined
  const decoder = new ByteFrameDecoder({
    maxFrameBytes: MAX_FRAME_BYTES,
    onFrame: () => frames++,
    onBadFrame: (err) => (bad = err.code),
  })
  let offset: number
  try {
    offset = decoder.pushFrame(bytes, 0)
  } catch (err) {
    if (err instanceof ByteFrameError) return { kind: 'refused', code: err.code }
    throw err
  }
  if (offset < bytes.length) return { kind: 'leftover' }
  if (bad) return { kind: 'refused', code: bad }
  return frames === 1 ? { kind: 'frame' } : { kind: 'incomplete' }
}

/** Pieces of `bytes`, cut at the given sizes in turn. */
function piecesOf(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = []
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = cuts[i % cuts.length]!
    pieces.push(bytes.subarray(at, at + n))
    at += n
  }
  return pieces
}

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}

describe(`the launcher server under ${RUNS} fuzzed byte frames from a host on a real socket`, () => {
  let version = 0
  let pipe: HostPipe
  let server: LauncherServer
  let socketServer: SocketServer
  const hostToken = 'fuzz-host-token'

  beforeAll(async () => {
    const nextVersion = (): number => ++version
    pipe = new HostPipe({ emit: () => undefined, nextVersion })
    server = new LauncherServer({
      hostPipe: pipe,
      hostToken,
      apiToken: 'fuzz-api-token',
      nextVersion,
      launcherVersion: 'fuzz',
      log: silent,
      maxPayloadBytes: MAX_PAYLOAD_BYTES,
    })
    socketServer = await SocketServer.listen({ onConnection: (c) => server.attach(c), log: silent })
  })

  afterAll(async () => {
    server.dispose()
    await socketServer.close()
    pipe.dispose()
  })

  it('refuses each bad frame with an error naming what was wrong, closes only untrustworthy streams, answers good ones, and holds no memory after', async () => {
    const tally = new Map<string, number>()
    let sentinel = 900_000_000

    const registeredHost = async (): Promise<FuzzClient> => {
      const c = await FuzzClient.connect(socketServer.path)
      c.writeLine({
        cmd: 'register',
        kind: 'host',
        pid: 1,
        version: 'fuzz',
        token: hostToken,
        features: [FEATURE_BYTES],
      })
      const answer = await c.next('the host registration')
      if (answer?.event !== 'registered') throw new Error(`host not registered: ${JSON.stringify(answer)}`)
      return c
    }

    /** Answers up to the sentinel pong (or the close), and whether the connection survived. */
    const answersUntilSentinel = async (
      c: FuzzClient,
      nonce: number,
    ): Promise<{ answers: Frame[]; survived: boolean }> => {
      const answers: Frame[] = []
      for (;;) {
        const f = await c.next(`the sentinel pong ${nonce}`)
        if (f === undefined) return { answers, survived: false }
        if (f.event === 'pong' && f.nonce === nonce) return { answers, survived: true }
        answers.push(f)
      }
    }

    const runCase = async (
      frame: { damage: string; nonce: number; bytes: Uint8Array },
      cuts: number[],
    ): Promise<string | undefined> => {
      const verdict = verdictOf(frame.bytes)
      const outcome = `${frame.damage} → ${verdict.kind === 'refused' ? verdict.code : verdict.kind}`
      tally.set(outcome, 1 + (tally.get(outcome) ?? 0))
      const c = await registeredHost()
      try {
        await c.writeChunks(piecesOf(frame.bytes, cuts))
        const errors = (answers: Frame[]): Frame[] => answers.filter((a) => a.event === 'error')
        const unnamed = (answers: Frame[]): Frame | undefined =>
          errors(answers).find(
            (e) => typeof e.code !== 'string' || typeof e.message !== 'string' || e.message === '',
          )
        if (verdict.kind === 'incomplete' || verdict.kind === 'leftover') {
          // The stream ends here: what follows a frame that ended early is unknown, and would
          // swallow a sentinel; a frame cut short must be refused as TRUNCATED.
          c.end()
          const { answers } = await answersUntilSentinel(c, -1)
          await c.waitForClose('the launcher to close after the stream ended')
          const wrong = unnamed(answers)
          if (wrong) return `an error without a code or message: ${JSON.stringify(wrong)}`
          const bad =
            verdict.kind === 'incomplete' &&
            errors(answers).find((e) => !/byte frame refused \(TRUNCATED\)/.test(String(e.message)))
          return bad ? `after a truncated frame: ${JSON.stringify(bad)}` : undefined
        }
        const nonce = ++sentinel
        c.writeLine({ cmd: 'ping', nonce })
        const { answers, survived } = await answersUntilSentinel(c, nonce)
        const wrong = unnamed(answers)
        if (wrong) return `an error without a code or message: ${JSON.stringify(wrong)}`
        if (verdict.kind === 'frame') {
          if (!survived) return `a whole frame closed the connection: ${JSON.stringify(answers)}`
          if (frame.damage === 'none' && !answers.some((a) => a.event === 'pong' && a.nonce === frame.nonce))
            return `a good ping was not answered: ${JSON.stringify(answers)}`
          return undefined
        }
        const named = errors(answers).find((e) =>
          String(e.message).includes(`byte frame refused (${verdict.code})`),
        )
        if (!named) return `no error naming ${verdict.code}: ${JSON.stringify(answers).slice(0, 400)}`
        const isFatal = FATAL_CODES.has(verdict.code)
        if (named.fatal !== isFatal) return `${verdict.code} answered with fatal: ${String(named.fatal)}`
        if (survived === isFatal)
          return `${verdict.code}: the connection ${survived ? 'stayed open' : 'was closed'}`
        if (isFatal) await c.waitForClose('the launcher to close an untrustworthy stream')
        return undefined
      } finally {
        c.destroy()
      }
    }

    const run = (numRuns: number, seed: number): Promise<void> =>
      fc.assert(
        fc.asyncProperty(
          damagedFrame,
          fc.array(fc.integer({ min: 1, max: 4099 }), { minLength: 1, maxLength: 6 }),
          async (frame, cuts) => {
            const wrong = await runCase(frame, cuts)
            if (wrong) throw new Error(`${frame.damage} (${frame.bytes.length} bytes): ${wrong}`)
          },
        ),
        { seed, numRuns, endOnFailure: true },
      )
    const connectionsGone = (): Promise<void> =>
      waitFor(
        () => socketServer.connectionCount === 0 && server.unregisteredCount === 0,
        'every fuzz connection closed',
      )

    await run(Math.ceil(RUNS / 4), SEED)
    await connectionsGone()
    const baselineMb = await retainedMemoryMb()
    await run(RUNS, SEED + 1)
    await connectionsGone()
    const growthMb = (await retainedMemoryMb()) - baselineMb
    expect(growthMb).toBeLessThanOrEqual(RETAINED_GROWTH_LIMIT_MB)
    // Every kind of refusal was met, so the run exercised what it claims to.
    const seen = [...tally.keys()].join('\n')
    for (const code of [
      'FRAME_TOO_LARGE',
      'TOO_MANY_BLOCKS',
      'BAD_HEADER',
      'BAD_PATH',
      'incomplete',
      'frame',
    ])
      expect(seen).toContain(code)
  }, 120_000)
})
