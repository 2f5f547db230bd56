/**
 * The bytes scenario: a 32 MiB `Uint8Array` echoed through `launcher.call` (one host, standby 0),
 * and the same bytes echoed over a raw Unix socket to a bare child that only sends them back
 * (bench/bytes-echo-child.ts), each round both in turn. `bytesMBps` is the launcher's MiB of
 * payload per second of round trip (median of rounds), `bytesRatio` the median of the rounds'
 * ratios (launcher ÷ raw). `callsPerSec` of small calls (`add`, 256 outstanding) on the same
 * launcher, same run, is printed beside it.
 */
import { createLauncher } from '../src/lib/node'
import { benchChildScriptPath } from './bench-host'
import { BYTES_COMMANDS } from './bytes-commands'
import { startChildOnSocket, type ChildOnSocket } from './child-socket'
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
  /** Median of the rounds' launcher ÷ raw ratios. */
  bytesRatio: number
  ratios: Spread
  /** MiB/s of each round, by side. */
  perRound: { launcher: number[]; raw: number[] }
  /** Small calls per second on the same launcher (median of rounds). */
  callsPerSec: number
  config: BytesConfig
}

/** One echo of `data` over the raw socket: resolves once every byte came back. */
function rawEcho(side: ChildOnSocket, data: Uint8Array): Promise<void> {
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
    const prefix = Buffer.alloc(4)
    prefix.writeUInt32BE(data.byteLength, 0)
    side.socket.write(prefix)
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
  try {
    await withTimeout(launcher.start(), START_TIMEOUT_MS, 'the bytes host did not register')
    // Warm-up: each side once, and some small calls.
    await launcher.call('echo', { data })
    await rawEcho(raw, data)
    await smallCallsPerSec((i) => launcher.call('add', { a: i, b: 1 }), config.smallCalls)
    const perRound = { launcher: [] as number[], raw: [] as number[] }
    const ratios: number[] = []
    const calls: number[] = []
    for (let round = 0; round < config.rounds; round++) {
      const sides = [
        async () => {
          const t = performance.now()
          const out = await withTimeout(
            launcher.call('echo', { data }),
            ROUND_TIMEOUT_MS,
            'echo did not return',
          )
          if (out.data.byteLength !== data.byteLength) throw new Error('echo returned the wrong size')
          perRound.launcher.push(BYTES_PAYLOAD / MiB / ((performance.now() - t) / 1000))
        },
        async () => {
          const t = performance.now()
          await withTimeout(rawEcho(raw, data), ROUND_TIMEOUT_MS, 'raw echo did not return')
          perRound.raw.push(BYTES_PAYLOAD / MiB / ((performance.now() - t) / 1000))
        },
      ]
      // Which side goes first alternates, so neither always runs on a warmer machine.
      if (round % 2 === 1) sides.reverse()
      for (const side of sides) await side()
      ratios.push(perRound.launcher.at(-1)! / perRound.raw.at(-1)!)
      calls.push(await smallCallsPerSec((i) => launcher.call('add', { a: i, b: 1 }), config.smallCalls))
      progress(
        `bytes: round ${round + 1}/${config.rounds}: launcher ${perRound.launcher.at(-1)!.toFixed(0)} MiB/s, ` +
          `raw ${perRound.raw.at(-1)!.toFixed(0)} MiB/s, small calls ${Math.round(calls.at(-1)!).toLocaleString('en-US')}/s`,
      )
    }
    const spread = spreadOf(ratios)
    return {
      bytesMBps: spreadOf(perRound.launcher).median,
      bytesRatio: spread.median,
      ratios: spread,
      perRound,
      callsPerSec: spreadOf(calls).median,
      config,
    }
  } finally {
    await launcher.stop()
    await raw.dispose()
  }
}
