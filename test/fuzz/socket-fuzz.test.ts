import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestLauncher, type TestHost, type TestLauncher } from '../support/ipc-launcher-harness'
import { waitFor } from '../support/ipc-wait'
import { retainedMemoryMb } from '../support/retained-memory'
import { expectedAnswer, mismatch, type FuzzContext } from './expected-answer'
import { fuzzFrame, piecesOf, type FuzzFrame } from './frame-arbitraries'
import { FuzzClient, type Frame } from './fuzz-client'
import { HostHeartbeat } from './host-heartbeat'

/**
 * `npm test` sends 1k fuzzed frames; `npm run test:fuzz` (HOSTPIPE_FUZZ=long) 10k.
 * HOSTPIPE_FUZZ_SEED replays a run.
 */
const isLong = process.env.HOSTPIPE_FUZZ === 'long'
const FRAMES = isLong ? 10_000 : 1_000
const SEED = Number(process.env.HOSTPIPE_FUZZ_SEED ?? 7_310_2025)
/** Sentinel pings carry nonces from here: far from the small and boundary values fast-check favours. */
const SENTINEL_BASE = 777_000_000
/**
 * Memory the launcher may still hold after the run, past its post-warm-up baseline, once garbage
 * is collected. RSS is only loosely bounded: the fuzzer itself allocates hundreds of MB of frames
 * (2 MiB lines) in this process, and V8 keeps pages after collecting them.
 */
const RETAINED_GROWTH_LIMIT_MB = 16
const RSS_GROWTH_LIMIT_MB = 400

const mb = (bytes: number): number => Math.round(bytes / (1024 * 1024))

describe(`the launcher socket under ${FRAMES} fuzzed frames`, () => {
  let launcher: TestLauncher
  let host: TestHost

  beforeAll(async () => {
    launcher = await startTestLauncher({ transport: 'pipe' })
    host = launcher.spawnHost()
    await launcher.waitForRegistration(host)
  })

  afterAll(async () => {
    await launcher.dispose()
  })

  it(
    'answers each with the right error code (fatal ones close only their connection), while the host ' +
      'keeps acking and connections and memory return to baseline',
    async () => {
      const path = launcher.socketServer!.path
      const { server, socketServer } = launcher
      const heartbeat = new HostHeartbeat(launcher.pipe)
      const tally = new Map<string, number>()
      let connectionsOpened = 0
      let toolsReopened = 0
      let sentinel = SENTINEL_BASE

      const openTool = async (): Promise<FuzzClient> => {
        const c = await FuzzClient.connect(path)
        connectionsOpened++
        c.writeLine({
          cmd: 'register',
          kind: 'tool',
          pid: process.pid,
          version: 'fuzz',
          token: launcher.apiToken,
        })
        const answer = await c.next('the tool registration')
        if (answer?.event !== 'registered') throw new Error(`tool not registered: ${JSON.stringify(answer)}`)
        return c
      }

      /** A fresh connection: one frame, one answer, then (unless it registered) the launcher closes it. */
      const sendOnFresh = async (frame: FuzzFrame): Promise<string | undefined> => {
        const c = await FuzzClient.connect(path)
        connectionsOpened++
        try {
          await c.writeChunks(piecesOf(frame))
          const expected = expectedAnswer('fresh', frame.verdict)
          if (frame.verdict.type === 'partial') c.end()
          const answer = await c.next('an answer on a fresh connection')
          const wrong = mismatch(expected, answer)
          if (wrong) return wrong
          if (expected.answer === 'registered') return undefined
          await c.waitForClose('the launcher to close the connection')
          if (c.unread > 0) return `frames after the answer: ${c.unread}`
          return undefined
        } finally {
          c.destroy()
        }
      }

      let tool = await openTool()

      /** The shared tool connection: the answer, then a sentinel ping proves nothing else came. */
      const sendOnTool = async (frame: FuzzFrame): Promise<string | undefined> => {
        await tool.writeChunks(piecesOf(frame))
        const expected = expectedAnswer('tool', frame.verdict)
        const survives =
          expected.answer === 'pong' || (expected.answer === 'error' && !expected.fatal) || false
        if (!survives) {
          const answer = expected.answer === 'close' ? undefined : await tool.next('a fatal answer')
          const wrong = mismatch(expected, answer)
          await tool.waitForClose('the launcher to close the tool connection')
          tool = await openTool()
          toolsReopened++
          return wrong
        }
        const nonce = ++sentinel
        tool.writeLine({ cmd: 'ping', nonce })
        const answers: Frame[] = []
        for (;;) {
          const f = await tool.next(`the sentinel pong ${nonce}`)
          if (f === undefined) return `the tool connection closed; answers so far: ${JSON.stringify(answers)}`
          if (f.event === 'pong' && f.nonce === nonce) break
          answers.push(f)
        }
        if (answers.length !== 1) return `expected one answer, got ${JSON.stringify(answers).slice(0, 400)}`
        return mismatch(expected, answers[0])
      }

      const runFrames = (numRuns: number, seed: number): Promise<void> =>
        fc.assert(
          fc.asyncProperty(
            fc.constantFrom<FuzzContext>('fresh', 'tool'),
            fuzzFrame(launcher.apiToken),
            async (context, frame) => {
              // A partial line only makes sense on a connection the client then closes.
              const where = frame.verdict.type === 'partial' ? 'fresh' : context
              tally.set(frame.category, (tally.get(frame.category) ?? 0) + 1)
              const wrong = where === 'fresh' ? await sendOnFresh(frame) : await sendOnTool(frame)
              if (wrong)
                throw new Error(
                  `${frame.category} (${frame.bytes.length} bytes, ${where}): ${wrong}\n` +
                    `frame starts: ${JSON.stringify(Buffer.from(frame.bytes.subarray(0, 120)).toString('latin1'))}`,
                )
            },
          ),
          { seed, numRuns, endOnFailure: true },
        )
      const connectionsAtBaseline = (): Promise<void> =>
        waitFor(
          () =>
            socketServer!.connectionCount === 2 && server.unregisteredCount === 0 && server.toolCount === 1,
          'connections back to baseline (the host and the tool)',
        )

      heartbeat.start()
      let baseline: { rss: number; retainedMb: number }
      try {
        // A quarter of the frames warms up (the launcher, and fast-check's own caches); memory is
        // measured from there, so growth over the other three quarters would be a leak.
        const warmUp = Math.round(FRAMES / 4)
        await runFrames(warmUp, SEED)
        await connectionsAtBaseline()
        baseline = { rss: process.memoryUsage().rss, retainedMb: await retainedMemoryMb() }
        await runFrames(FRAMES - warmUp, SEED + 1)
        // The host kept working throughout: every command acked, quickly, same process, same session.
        const sentByHeartbeat = heartbeat.sent
        await waitFor(() => heartbeat.acked >= sentByHeartbeat, 'the host to ack every heartbeat command')
      } finally {
        heartbeat.stop()
      }
      expect(heartbeat.sent).toBeGreaterThan(0)
      expect(heartbeat.maxAckLatencyMs).toBeLessThan(2_000)
      expect(launcher.emitted.filter((e) => e.event === 'saga_failed')).toEqual([])
      expect(host.exit).toBeUndefined()
      expect(server.currentHost).toMatchObject({ pid: host.process.pid, sessionId: 1 })
      // No connection left behind, nothing half-registered, no memory kept.
      await connectionsAtBaseline()
      const rssGrowthMb = mb(process.memoryUsage().rss - baseline.rss)
      const retainedGrowthMb = (await retainedMemoryMb()) - baseline.retainedMb
      console.log(
        `fuzz: ${FRAMES} frames (seeds ${SEED}, ${SEED + 1}) on ${connectionsOpened} connections ` +
          `(${toolsReopened} tool reconnects after fatal frames); host acked ${heartbeat.acked}/${heartbeat.sent} ` +
          `heartbeat commands, slowest ${Math.round(heartbeat.maxAckLatencyMs)} ms; after warm-up: ` +
          `memory retained after GC +${retainedGrowthMb} MB, RSS +${rssGrowthMb} MB\n` +
          [...tally]
            .sort((a, b) => b[1] - a[1])
            .map(([category, n]) => `  ${String(n).padStart(6)}  ${category}`)
            .join('\n'),
      )
      expect(retainedGrowthMb).toBeLessThan(RETAINED_GROWTH_LIMIT_MB)
      expect(rssGrowthMb).toBeLessThan(RSS_GROWTH_LIMIT_MB)
      tool.destroy()
    },
    isLong ? 600_000 : 60_000,
  )
})
