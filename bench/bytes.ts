/**
 * The bytes scenario: a 32 MiB `Uint8Array` echoed through `launcher.call` (one host, standby 0),
 * and the same bytes echoed over a raw Unix socket to two bare children, each round all three in
 * turn:
 * - the raw message echo (bench/bytes-echo-child.ts): the child reads the length-prefixed message
 *   into one buffer and writes it back, the parent reads the answer into one Uint8Array. It does
 *   the job `launcher.call('echo', { data })` does (the host's handler gets one Uint8Array, the
 *   caller gets one back), so it is the baseline of `bytesRatio`;
 * - the raw cut-through echo (bench/bytes-cut-through-child.ts): the child writes each piece back
 *   as it arrives and the parent only counts the bytes; neither side ever holds the message whole
 *   or touches fresh memory for it. Printed beside, as `bytesCutThroughRatio`: the socket's ceiling.
 * `bytesMBps` is the launcher's MiB of payload per second of round trip (median of rounds), the
 * ratios the medians of the rounds' ratios. `callsPerSec` of small calls (`add`, 256 outstanding)
 * on the same launcher, same run, is printed beside it.
 */
import { createLauncher } from '../src/lib/node'
import { benchChildScriptPath } from './bench-host'
import { BYTES_COMMANDS } from './bytes-commands'
import { startChildOnSocket, type ChildOnSocket } from './child-socket'
import { LengthPrefixedReader, lengthPrefixOf } from './length-prefixed-reader'
import { spreadOf, type Spread } from './stats'
import { withTimeout } from './with-timeout'

/** The payload echoed: 32 MiB. */
export const BYTES_PAYLOAD = 32 * 1024 * 1024
const MiB = 1024 * 1024
const START_TIMEOUT_MS = 30_000
/** A round trip that has not finished by then has failed. */
const ROUND_TIMEOUT_MS = 120_000
/** Small calls outstanding at once, as the call scenario's `callsPerSec`. */
const SMALL_OUTSTANDING = 256

export interface BytesConfig {
  rounds: number
  /** Small calls per small-call round (one after each bytes round). */
  smallCalls: number
}

export interface BytesResult {
  /** Median MiB/s of the launcher's round trips. */
  bytesMBps: number
  /** Median of the rounds' launcher ÷ raw message echo ratios. */
  bytesRatio: number
  ratios: Spread
  /** Median of the rounds' launcher ÷ raw cut-through echo ratios. */
  bytesCutThroughRatio: number
  cutThroughRatios: Spread
  /** MiB/s of each round, by side. */
  perRound: { launcher: number[]; raw: number[]; cutThrough: number[] }
  /** Small calls per second on the same launcher (median of rounds). */
  callsPerSec: number
  config: BytesConfig
}

/** One echo of `data` over the raw socket, as a message: resolves with the answer, one Uint8Array. */
function rawMessageEcho(side: ChildOnSocket, data: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new LengthPrefixedReader((body) => {
      side.socket.off('data', onData)
      side.socket.off('error', reject)
      resolve(body)
    })
    const onData = (chunk: Buffer): void => reader.push(chunk)
    side.socket.on('data', onData)
    side.socket.once('error', reject)
    side.socket.write(lengthPrefixOf(data))
    side.socket.write(data)
  })
}

/** One echo of `data` over the raw socket, cut through: resolves once every byte came back. */
function rawCutThroughEcho(side: ChildOnSocket, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = data.byteLength + 4
    const onData = (chunk: Buffer): void => {
      left -= chunk.byteLength
      if (left > 0) return
      side.socket.off('data', onData)
      side.socket.off('error', reject)
      resolve()
    }
    side.socket.on('data', onData)
    side.socket.once('error', reject)
    side.socket.write(lengthPrefixOf(data))
    side.socket.write(data)
  })
}

async function smallCallsPerSec(call: (i: number) => Promise<unknown>, calls: number): Promise<number> {
  const started = performance.now()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < calls) await call(next++)
  }
  await Promise.all(Array.from({ length: SMALL_OUTSTANDING }, worker))
  return calls / ((performance.now() - started) / 1000)
}

export async function measureBytes(
  config: BytesConfig,
  progress: (line: string) => void,
): Promise<BytesResult> {
  const data = new Uint8Array(BYTES_PAYLOAD)
  for (let i = 0; i < data.byteLength; i += 4096) data[i] = i & 0xff
  const launcher = createLauncher({
    hostEntry: benchChildScriptPath('bytes-host'),
    commands: BYTES_COMMANDS,
    standby: 0,
    sagaTimeoutMs: ROUND_TIMEOUT_MS,
  })
  const raw = await startChildOnSocket(benchChildScriptPath('bytes-echo-child'))
  const cutThrough = await startChildOnSocket(benchChildScriptPath('bytes-cut-through-child')).catch(
    async (err: unknown) => {
      await raw.dispose()
      throw err
    },
  )
  try {
    await withTimeout(launcher.start(), START_TIMEOUT_MS, 'the bytes host did not register')
    // Warm-up: each side once, and some small calls.
    await launcher.call('echo', { data })
    await rawMessageEcho(raw, data)
    await rawCutThroughEcho(cutThrough, data)
    await smallCallsPerSec((i) => launcher.call('add', { a: i, b: 1 }), config.smallCalls)
    const perRound = { launcher: [] as number[], raw: [] as number[], cutThrough: [] as number[] }
    const ratios: number[] = []
    const cutThroughRatios: number[] = []
    const calls: number[] = []
    const timed = async (into: number[], echo: () => Promise<unknown>): Promise<void> => {
      const t = performance.now()
      await echo()
      into.push(BYTES_PAYLOAD / MiB / ((performance.now() - t) / 1000))
    }
    for (let round = 0; round < config.rounds; round++) {
      const sides = [
        () =>
          timed(perRound.launcher, async () => {
            const out = await withTimeout(
              launcher.call('echo', { data }),
              ROUND_TIMEOUT_MS,
              'echo did not return',
            )
            if (out.data.byteLength !== data.byteLength) throw new Error('echo returned the wrong size')
          }),
        () =>
          timed(perRound.raw, async () => {
            const out = await withTimeout(
              rawMessageEcho(raw, data),
              ROUND_TIMEOUT_MS,
              'raw echo did not return',
            )
            if (out.byteLength !== data.byteLength) throw new Error('raw echo returned the wrong size')
          }),
        () =>
          timed(perRound.cutThrough, () =>
            withTimeout(
              rawCutThroughEcho(cutThrough, data),
              ROUND_TIMEOUT_MS,
              'raw cut-through echo did not return',
            ),
          ),
      ]
      // The launcher and its baseline run back to back, which goes first alternating, so neither
      // always runs on a warmer machine; the cut-through echo runs first or last in turn.
      if (round % 2 === 1) sides.reverse()
      for (const side of sides) await side()
      ratios.push(perRound.launcher.at(-1)! / perRound.raw.at(-1)!)
      cutThroughRatios.push(perRound.launcher.at(-1)! / perRound.cutThrough.at(-1)!)
      calls.push(await smallCallsPerSec((i) => launcher.call('add', { a: i, b: 1 }), config.smallCalls))
      progress(
        `bytes: round ${round + 1}/${config.rounds}: launcher ${perRound.launcher.at(-1)!.toFixed(0)} MiB/s, ` +
          `raw ${perRound.raw.at(-1)!.toFixed(0)} MiB/s, raw cut-through ${perRound.cutThrough.at(-1)!.toFixed(0)} MiB/s, ` +
          `small calls ${Math.round(calls.at(-1)!).toLocaleString('en-US')}/s`,
      )
    }
    const spread = spreadOf(ratios)
    const cutThroughSpread = spreadOf(cutThroughRatios)
    return {
      bytesMBps: spreadOf(perRound.launcher).median,
      bytesRatio: spread.median,
      ratios: spread,
      bytesCutThroughRatio: cutThroughSpread.median,
      cutThroughRatios: cutThroughSpread,
      perRound,
      callsPerSec: spreadOf(calls).median,
      config,
    }
  } finally {
    await launcher.stop()
    await raw.dispose()
    await cutThrough.dispose()
  }
}
