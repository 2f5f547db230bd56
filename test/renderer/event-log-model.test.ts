import { describe, expect, it } from 'vitest'
import { diffRing, EVENT_LOG_LIMIT, EventLogModel } from '../../src/renderer/event-log-model'
import type { DiagnosticsEvent } from '../../src/shared/diagnostics'

const ev = (at: number, message: string, level: DiagnosticsEvent['level'] = 'info'): DiagnosticsEvent => ({
  at,
  level,
  message,
})
const a = ev(1, 'host started pid 10')
const b = ev(2, 'host connected (session 1)')
const c = ev(3, 'kill-host: done')
const d = ev(4, 'host pid 10 crashed (signal SIGKILL)', 'error')

describe('diffing two views of the event ring', () => {
  it('finds the entries appended since the last view', () => {
    expect(diffRing([a, b], [a, b, c, d])).toEqual({ fresh: [c, d], replacedNewest: false })
  })

  it('finds new entries after old ones fell off the front of a full ring', () => {
    expect(diffRing([a, b, c], [b, c, d])).toEqual({ fresh: [d], replacedNewest: false })
  })

  it('finds nothing new in the same ring', () => {
    expect(diffRing([a, b], [a, b])).toEqual({ fresh: [], replacedNewest: false })
  })

  it('treats every entry as new when nothing overlaps', () => {
    expect(diffRing([a, b], [c, d])).toEqual({ fresh: [c, d], replacedNewest: false })
    expect(diffRing([], [a])).toEqual({ fresh: [a], replacedNewest: false })
  })

  it('counts identical repeated entries right', () => {
    const x = ev(5, 'same')
    expect(diffRing([x, x], [x, x, x]).fresh).toEqual([x])
  })

  it('recognises the newest saga failure line rewritten into a run', () => {
    const one = ev(10, 'saga 1 failed: host pipe backpressure overflow', 'warn')
    const run = ev(11, '3 sagas failed (saga 1 … saga 3): host pipe backpressure overflow', 'warn')
    expect(diffRing([a, one], [a, run])).toEqual({ fresh: [run], replacedNewest: true })
    expect(diffRing([one], [run, c])).toEqual({ fresh: [run, c], replacedNewest: true })
  })

  it('does not mistake a turned-over ring for a rewrite', () => {
    expect(diffRing([a, b], [c, d]).replacedNewest).toBe(false)
  })
})

describe('the event log', () => {
  it('shows ring lines newest first, each once', () => {
    const log = new EventLogModel()
    log.addRing([a, b])
    log.addRing([a, b, c])
    expect(log.newestFirst().map((l) => l.text)).toEqual([c.message, b.message, a.message])
  })

  it('gives each line a growing id', () => {
    const log = new EventLogModel()
    log.addRing([a, b])
    const [newest, oldest] = log.newestFirst()
    expect(newest!.id).toBeGreaterThan(oldest!.id)
  })

  it('keeps only the newest lines', () => {
    const log = new EventLogModel()
    const ring = Array.from({ length: EVENT_LOG_LIMIT + 50 }, (_, i) => ev(i, `line ${i}`))
    log.addRing(ring)
    const lines = log.newestFirst()
    expect(lines).toHaveLength(EVENT_LOG_LIMIT)
    expect(lines[0]!.text).toBe(`line ${EVENT_LOG_LIMIT + 49}`)
  })

  it('marks saga failures as saga_failed with their reason', () => {
    const log = new EventLogModel()
    log.addRing([ev(1, 'saga 7 failed: host unreachable', 'warn')])
    expect(log.newestFirst()[0]).toMatchObject({
      kind: 'saga_failed',
      isSagaFailure: true,
      reason: 'host unreachable',
      level: 'warn',
    })
  })

  it('replaces a failure line the launcher folded into a run instead of repeating it', () => {
    const log = new EventLogModel()
    const one = ev(10, 'saga 1 failed: host pipe backpressure overflow', 'warn')
    const run = ev(11, '36 sagas failed (saga 1 … saga 36): host pipe backpressure overflow', 'warn')
    log.addRing([a, one])
    log.addRing([a, run])
    const lines = log.newestFirst()
    expect(lines.map((l) => l.text)).toEqual([run.message, a.message])
    expect(lines[0]!.reason).toBe('host pipe backpressure overflow')
  })

  it('skips malformed ring entries', () => {
    const log = new EventLogModel()
    expect(log.addRing([a, null, { at: 'x' }, 7, b])).toBe(2)
  })

  it('keeps a line of the panel’s own (a failed action) among the launcher’s, and the next ring does not drop it', () => {
    const log = new EventLogModel()
    log.addRing([a])
    log.addLocal({
      at: 5,
      level: 'error',
      kind: 'error',
      text: 'Kill host failed: no answer',
      isSagaFailure: false,
    })
    log.addRing([a, b])
    expect(log.newestFirst().map((l) => l.text)).toEqual([
      b.message,
      'Kill host failed: no answer',
      a.message,
    ])
  })
})
