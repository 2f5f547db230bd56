import { createLauncher } from '../src/lib/node'
import { benchChildScriptPath } from './bench-host'
import { STREAM_COMMANDS } from './stream-commands'
import { withTimeout } from './with-timeout'

/** Each chunk's size, in characters (bytes: they are ASCII). */
export const STREAM_CHUNK_BYTES = 1024
/** The slow consumer takes one chunk per this many ms. */
export const SLOW_CONSUMER_INTERVAL_MS = 10
const START_TIMEOUT_MS = 15_000
/** A round that has not finished by then has failed (a hung host, a lost credit). */
const ROUND_TIMEOUT_MS = 120_000
const MB = 1024 * 1024

export interface StreamConfig {
  /** Throughput rounds: one stream of `chunksPerRound` chunks each, consumed as fast as they come. */
  rounds: number
  chunksPerRound: number
  /** Chunks read before the first round, not counted. */
  warmupChunks: number
  /** How long the slow consumer reads, in ms. */
  slowMs: number
}

export interface StreamResult {
  /** Chunks per second of each round. */
  roundChunksPerSec: number[]
  /** The launcher's RSS while a consumer takes one chunk per 10 ms and the host produces at will. */
  slowConsumer: { beforeMb: number; peakMb: number; afterMb: number; chunks: number }
  config: StreamConfig
}

async function readAll(stream: AsyncIterable<string>): Promise<number> {
  let chunks = 0
  for await (const _ of stream) chunks++
  return chunks
}

/**
 * `launcher.stream('blobs')` with 1 KiB chunks on createLauncher (one host, standby 0, the default
 * window of 16): chunks/s of one stream whose consumer keeps up; then the launcher's RSS (this
 * process) while a consumer reads one chunk per 10 ms from a host that would produce without end,
 * sampled every 100 ms: flow control holds it flat.
 */
export async function measureStream(
  config: StreamConfig,
  progress: (line: string) => void,
): Promise<StreamResult> {
  const launcher = createLauncher({
    hostEntry: benchChildScriptPath('stream-host'),
    commands: STREAM_COMMANDS,
    standby: 0,
  })
  try {
    await withTimeout(launcher.start(), START_TIMEOUT_MS, 'the stream host did not register')
    const size = STREAM_CHUNK_BYTES
    await readAll(launcher.stream('blobs', { n: config.warmupChunks, size }))
    const roundChunksPerSec: number[] = []
    for (let round = 0; round < config.rounds; round++) {
      const started = performance.now()
      const chunks = await withTimeout(
        readAll(launcher.stream('blobs', { n: config.chunksPerRound, size })),
        ROUND_TIMEOUT_MS,
        `stream round ${round + 1} did not finish`,
      )
      const perSec = chunks / ((performance.now() - started) / 1000)
      roundChunksPerSec.push(perSec)
      progress(
        `stream: round ${round + 1}/${config.rounds}: ${Math.round(perSec).toLocaleString('en-US')} chunks/s`,
      )
    }
    globalThis.gc?.()
    const beforeMb = process.memoryUsage().rss / MB
    let peak = beforeMb
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / MB)), 100)
    let chunks = 0
    const deadline = performance.now() + config.slowMs
    try {
      for await (const _ of launcher.stream('blobs', { n: 0, size })) {
        chunks++
        if (performance.now() >= deadline) break
        await new Promise((resolve) => setTimeout(resolve, SLOW_CONSUMER_INTERVAL_MS))
      }
    } finally {
      clearInterval(sampler)
    }
    const afterMb = process.memoryUsage().rss / MB
    progress(
      `stream: slow consumer read ${chunks} chunks in ${config.slowMs} ms; RSS ${beforeMb.toFixed(1)} → peak ${peak.toFixed(1)} MB`,
    )
    return {
      roundChunksPerSec,
      slowConsumer: { beforeMb, peakMb: Math.max(peak, afterMb), afterMb, chunks },
      config,
    }
  } finally {
    await launcher.stop()
  }
}
