import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Logger } from '../../src/main/base/logger'
import { ProgressRelay } from '../../src/main/launcher/progress-relay'

function makeRelay(schema: z.ZodType | undefined = z.object({ done: z.number() })) {
  const got: unknown[] = []
  const warnings: string[] = []
  const scheduled: Array<() => void> = []
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m: string) => warnings.push(m),
    error: (m: string) => warnings.push(m),
  }
  const relay = new ProgressRelay(
    'job',
    schema,
    (v) => got.push(v),
    log,
    (fn) => scheduled.push(fn),
  )
  const runScheduled = (): void => {
    for (const fn of scheduled.splice(0)) fn()
  }
  return { relay, got, warnings, runScheduled, scheduled }
}

describe('ProgressRelay', () => {
  it('delivers values in order, later, one per turn', () => {
    const { relay, got, runScheduled } = makeRelay()
    relay.onProgress({ done: 1 })
    expect(got).toEqual([])
    runScheduled()
    relay.onProgress({ done: 2 })
    runScheduled()
    expect(got).toEqual([{ done: 1 }, { done: 2 }])
  })

  it('holds only the newest value when the caller falls behind, skipping the ones before it', () => {
    const { relay, got, runScheduled, scheduled } = makeRelay()
    for (let i = 1; i <= 100; i++) relay.onProgress({ done: i })
    expect(scheduled).toHaveLength(1)
    runScheduled()
    expect(got).toEqual([{ done: 100 }])
  })

  it('delivers the value it holds when closed, and nothing after', () => {
    const { relay, got, runScheduled } = makeRelay()
    relay.onProgress({ done: 1 })
    relay.close()
    expect(got).toEqual([{ done: 1 }])
    relay.onProgress({ done: 2 })
    runScheduled()
    expect(got).toEqual([{ done: 1 }])
  })

  it('drops and counts values failing the schema, logging the first one with its field', () => {
    const { relay, got, warnings, runScheduled } = makeRelay()
    relay.onProgress({ done: 'x' })
    relay.onProgress({ done: 'y' })
    relay.onProgress({ done: 3 })
    runScheduled()
    expect(got).toEqual([{ done: 3 }])
    expect(relay.dropped).toBe(2)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('`done`')
  })

  it('logs a listener that throws and keeps delivering', () => {
    const warnings: string[] = []
    const scheduled: Array<() => void> = []
    const relay = new ProgressRelay(
      'job',
      undefined,
      () => {
        throw new Error('boom')
      },
      {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: (m) => warnings.push(String(m)),
      },
      (fn) => scheduled.push(fn),
    )
    relay.onProgress(1)
    scheduled.shift()!()
    expect(warnings[0]).toContain('boom')
  })
})
