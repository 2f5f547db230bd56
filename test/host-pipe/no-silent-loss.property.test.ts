import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Command } from '../../src/shared/protocol'
import { InstantMemoryWriter, MemoryWriter, settle } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

const CAPACITY = 5
const MAX_IN_FLIGHT = 4
const TIMEOUT = 1_000

type Step =
  | { op: 'send'; withSaga: boolean }
  | { op: 'probe' }
  | { op: 'connect'; acks: boolean; failAfter: number | undefined; slow: boolean; instant: boolean }
  | { op: 'settleWrite'; ok: boolean }
  | { op: 'disconnect' }
  | { op: 'advance'; ms: number }
  | { op: 'ack'; pick: number }
  | { op: 'cancel'; pick: number }

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('send' as const), withSaga: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('probe' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('connect' as const),
      acks: fc.boolean(),
      failAfter: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
      slow: fc.boolean(),
      // A writer that takes frames at once (a socket): writes complete inside the send.
      instant: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('settleWrite' as const), ok: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('disconnect' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 700 }) }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('ack' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }) },
)

describe('HostPipe invariants under random connect / fail / ack / expiry sequences', () => {
  it('keeps pending ≤ capacity and in-flight ≤ maxInFlight at every step, writes each seq once in increasing order, and ends every saga exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const { pipe, clock, events } = makePipe({
          capacity: CAPACITY,
          maxInFlight: MAX_IN_FLIGHT,
          disconnectTimeoutMs: TIMEOUT,
        })
        // HostPipe isolates throwing listeners, so violations are collected and asserted per step.
        const violations: string[] = []
        pipe.on('change', (s) => {
          if (s.pending > CAPACITY) violations.push(`pending ${s.pending}`)
          if (s.inFlight > MAX_IN_FLIGHT) violations.push(`inFlight ${s.inFlight}`)
        })
        const writers: Array<{ w: MemoryWriter; acks: boolean; ackedUpTo: number }> = []
        const sagas: number[] = []
        const cancelled = new Set<number>()
        const delivered = new Set<number>()
        let nextSaga = 1
        let nonce = 1
        const current = () => (pipe.snapshot().connected ? writers.at(-1) : undefined)

        for (const s of steps) {
          switch (s.op) {
            case 'send': {
              const cmd: Command = s.withSaga
                ? { cmd: 'spawn_pool_window', saga_id: nextSaga }
                : { cmd: 'spawn_pool_window' }
              if (s.withSaga) sagas.push(nextSaga++)
              pipe.sendCommand(cmd).catch(() => undefined)
              break
            }
            case 'probe':
              pipe.trySendCommandNoBuffer({ cmd: 'probe_ui_thread', nonce: nonce++ }).catch(() => undefined)
              break
            case 'connect': {
              const w = s.instant ? new InstantMemoryWriter() : new MemoryWriter()
              w.failAfter = s.failAfter
              // A slow writer holds each write until a settleWrite step completes or fails it.
              if (s.slow) w.hold()
              writers.push({ w, acks: s.acks, ackedUpTo: 0 })
              void pipe.setWriter(w, { acks: s.acks })
              break
            }
            case 'settleWrite': {
              const held = writers.find(({ w }) => w.heldCount > 0)
              if (held) {
                if (s.ok) held.w.releaseOne()
                else held.w.failOne()
              }
              break
            }
            case 'disconnect':
              pipe.clearWriter()
              break
            case 'advance':
              clock.advance(s.ms)
              break
            case 'ack': {
              const cur = current()
              if (!cur || !cur.acks || cur.w.lines.length === 0) {
                pipe.ack(1_000_000 + s.pick)
                break
              }
              const frames = cur.w.parsed()
              const idx = s.pick % frames.length
              const before = pipe.snapshot().counters.acked
              pipe.ack(frames[idx]!.seq as number)
              if (pipe.snapshot().counters.acked > before) cur.ackedUpTo = Math.max(cur.ackedUpTo, idx + 1)
              break
            }
            case 'cancel': {
              if (sagas.length === 0) break
              const id = sagas[s.pick % sagas.length]!
              pipe.cancelSaga(id)
              cancelled.add(id)
              break
            }
          }
          await settle()
          expect(violations).toEqual([])
        }

        // Finish: outstanding writes complete, the host goes away for good and the budget runs out.
        for (const { w } of writers) w.releaseAll()
        await settle()
        pipe.clearWriter()
        for (const { w } of writers) w.releaseAll()
        await settle()
        clock.advance(TIMEOUT + 1)
        await settle()
        expect(pipe.snapshot()).toMatchObject({ pending: 0, inFlight: 0 })

        // On the wire: each seq at most once, increasing across the pipe's whole life.
        const seqs = writers.flatMap(({ w }) => w.parsed().map((f) => f.seq as number))
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
        expect(new Set(seqs).size).toBe(seqs.length)

        // Every saga: acked (or, without acks, written), failed exactly once, or cancelled.
        const acked = new Set<number>()
        for (const { w, acks, ackedUpTo } of writers) {
          const ids = w.parsed().map((f) => f.saga_id as number | undefined)
          ids.forEach((id, i) => {
            if (id === undefined) return
            if (!acks) delivered.add(id)
            else if (i < ackedUpTo) acked.add(id)
          })
        }
        const failures = new Map<number, number>()
        for (const e of events)
          if (e.event === 'saga_failed') failures.set(e.saga_id, (failures.get(e.saga_id) ?? 0) + 1)
        for (const id of sagas) {
          const failed = failures.get(id) ?? 0
          expect(failed).toBeLessThanOrEqual(1)
          const ok = acked.has(id) || delivered.has(id)
          if (ok) expect(failed, `saga ${id} acked/delivered and failed`).toBe(0)
          expect(ok || failed === 1 || cancelled.has(id), `saga ${id} lost silently`).toBe(true)
        }
        pipe.dispose()
      }),
      { numRuns: 300 },
    )
  })
})
