import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CRASH_WINDOW_MS,
  MAX_RESTART_DELAY_MS,
  RestartBackoff,
  type RestartBackoffOptions,
} from '../../src/main/launcher/restart-backoff'

function makeBackoff(opts: RestartBackoffOptions = {}): {
  backoff: RestartBackoff
  advance: (ms: number) => void
} {
  let time = 1_000_000
  const backoff = new RestartBackoff({ random: () => 0, now: () => time, ...opts })
  return { backoff, advance: (ms) => (time += ms) }
}

function delayOf(backoff: RestartBackoff): number {
  const d = backoff.recordCrash()
  if (d.action !== 'restart') throw new Error('expected a restart, got give-up')
  return d.delayMs
}

describe('RestartBackoff delays', () => {
  it('restarts the first crash within 100 ms whatever the jitter', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => {
        const { backoff } = makeBackoff({ random: () => r })
        const delay = delayOf(backoff)
        expect(delay).toBeGreaterThanOrEqual(50)
        expect(delay).toBeLessThanOrEqual(100)
      }),
    )
  })

  it('doubles the delay on each consecutive crash up to the 5 s cap', () => {
    const { backoff, advance } = makeBackoff({ maxRestarts: 100 })
    const delays: number[] = []
    for (let i = 0; i < 9; i++) {
      delays.push(delayOf(backoff))
      advance(CRASH_WINDOW_MS) // keep the give-up window out of the way
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000])
  })

  it('keeps every jittered delay between half and all of its base delay', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 20,
        }),
        (rs) => {
          let i = 0
          const { backoff, advance } = makeBackoff({ maxRestarts: 100, random: () => rs[i]! })
          for (i = 0; i < rs.length; i++) {
            const base = Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** i)
            const delay = delayOf(backoff)
            expect(delay).toBeGreaterThanOrEqual(Math.floor(base / 2))
            expect(delay).toBeLessThanOrEqual(base)
            advance(CRASH_WINDOW_MS)
          }
        },
      ),
    )
  })

  it('treats a random source outside [0, 1) as no jitter rather than a negative delay', () => {
    const { backoff } = makeBackoff({ random: () => Number.NaN })
    expect(delayOf(backoff)).toBe(100)
    const { backoff: b2 } = makeBackoff({ random: () => 7 })
    expect(delayOf(b2)).toBe(50)
  })

  it('goes back to the first delay after the host ran stably for 30 s', () => {
    const { backoff, advance } = makeBackoff()
    expect(delayOf(backoff)).toBe(100)
    expect(delayOf(backoff)).toBe(200)
    backoff.recordRunning()
    advance(30_000)
    expect(delayOf(backoff)).toBe(0) // a serving loss
    expect(delayOf(backoff)).toBe(100) // the next start failure starts over
  })

  it('keeps doubling while the host ends within 250 ms of registering (a start failure)', () => {
    const { backoff, advance } = makeBackoff()
    delayOf(backoff)
    backoff.recordRunning()
    advance(249)
    expect(delayOf(backoff)).toBe(200)
  })

  it('does not reset the doubling for a serving loss shorter than 30 s of running', () => {
    const { backoff, advance } = makeBackoff({ maxRestarts: 10 })
    expect(delayOf(backoff)).toBe(100)
    backoff.recordRunning()
    advance(29_999)
    expect(backoff.recordCrash()).toMatchObject({ action: 'restart', kind: 'serving-loss', delayMs: 0 })
    expect(delayOf(backoff)).toBe(200)
  })

  it('classifies each pool slot’s loss by how long that slot’s host ran, not the last slot lost', () => {
    const { backoff, advance } = makeBackoff({ maxRestarts: 10 })
    backoff.recordRunning(undefined, 0)
    backoff.recordRunning(undefined, 1)
    advance(1_000)
    expect(backoff.recordCrash(1)).toMatchObject({ kind: 'serving-loss', delayMs: 0 })
    expect(backoff.recordCrash(0)).toMatchObject({ kind: 'serving-loss', delayMs: 0 })
    expect(backoff.recordCrash(1)).toMatchObject({ kind: 'start-failure', delayMs: 100 })
  })

  it('does not count the time before the host came up as stable running', () => {
    const { backoff, advance } = makeBackoff()
    delayOf(backoff)
    advance(40_000) // host started but never registered
    expect(delayOf(backoff)).toBe(200)
  })
})

describe('RestartBackoff giving up', () => {
  it('gives up on the fifth crash within 60 s by default, after four restarts', () => {
    const { backoff, advance } = makeBackoff()
    for (let i = 0; i < 4; i++) {
      expect(backoff.recordCrash().action).toBe('restart')
      advance(1_000)
    }
    expect(backoff.recordCrash()).toEqual({ action: 'give-up', crashesInWindow: 5, kind: 'start-failure' })
  })

  it('honours a custom maxRestarts, and 0 means never restart', () => {
    const { backoff } = makeBackoff({ maxRestarts: 3 })
    expect(backoff.recordCrash().action).toBe('restart')
    expect(backoff.recordCrash().action).toBe('restart')
    expect(backoff.recordCrash().action).toBe('give-up')
    const { backoff: once } = makeBackoff({ maxRestarts: 1 })
    expect(once.recordCrash()).toEqual({ action: 'give-up', crashesInWindow: 1, kind: 'start-failure' })
    const { backoff: never } = makeBackoff({ maxRestarts: 0 })
    expect(never.recordCrash()).toEqual({ action: 'give-up', crashesInWindow: 1, kind: 'start-failure' })
  })

  it('forgets crashes older than the 60 s window', () => {
    const { backoff, advance } = makeBackoff({ maxRestarts: 2 })
    backoff.recordRunning()
    advance(1_000)
    backoff.recordCrash()
    advance(30_000)
    backoff.recordRunning()
    advance(1_000)
    backoff.recordCrash()
    advance(29_000) // the first crash is now 60 s old
    backoff.recordRunning()
    advance(1_000)
    expect(backoff.recordCrash().action).toBe('restart')
    expect(backoff.recordCrash().action).toBe('give-up')
  })

  it('starts from scratch after reset()', () => {
    const { backoff } = makeBackoff({ maxRestarts: 2 })
    delayOf(backoff)
    expect(backoff.recordCrash().action).toBe('give-up')
    backoff.reset()
    expect(delayOf(backoff)).toBe(100)
  })

  it('gives up on the maxRestarts-th crash within any 60 s or the maxRestarts-th start failure in a row, and only then', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('crash' as const) }),
      fc.record({ kind: fc.constant('running' as const) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.array(step, { maxLength: 60 }), (maxRestarts, steps) => {
        const { backoff, advance } = makeBackoff({ maxRestarts, random: Math.random })
        let time = 0
        const granted: number[] = []
        let runningSince: number | undefined
        let startFailuresInARow = 0
        for (const s of steps) {
          if (s.kind === 'wait') {
            advance(s.ms)
            time += s.ms
          } else if (s.kind === 'running') {
            backoff.recordRunning()
            runningSince = time
            startFailuresInARow = 0
          } else {
            const recent = granted.filter((t) => time - t < CRASH_WINDOW_MS).length
            const isServingLoss = runningSince !== undefined && time - runningSince >= 250
            runningSince = undefined
            startFailuresInARow = isServingLoss ? 0 : startFailuresInARow + 1
            const d = backoff.recordCrash()
            if (d.action === 'restart') {
              granted.push(time)
              expect(d.delayMs).toBeGreaterThanOrEqual(0)
              expect(d.delayMs).toBeLessThanOrEqual(MAX_RESTART_DELAY_MS)
            }
            const shouldGiveUp = recent + 1 >= maxRestarts || startFailuresInARow >= maxRestarts
            expect(d.action).toBe(shouldGiveUp ? 'give-up' : 'restart')
            expect(granted.filter((t) => time - t < CRASH_WINDOW_MS).length).toBeLessThanOrEqual(
              Math.max(0, maxRestarts - 1),
            )
          }
        }
      }),
    )
  })
})

describe('RestartBackoff: a host that never registers', () => {
  it('gives up on the maxRestarts-th start failure in a row even when they are minutes apart', () => {
    const { backoff, advance } = makeBackoff()
    for (let i = 0; i < 4; i++) {
      expect(backoff.recordCrash().action).toBe('restart')
      advance(15_000) // killed every 15 s for not registering: 4 losses per minute
    }
    expect(backoff.startFailureRun).toBe(4)
    expect(backoff.recordCrash()).toEqual({ action: 'give-up', crashesInWindow: 4, kind: 'start-failure' })
  })

  it('counts start failures in a row only until a host registers', () => {
    const { backoff, advance } = makeBackoff({ maxRestarts: 3 })
    for (let i = 0; i < 2; i++) {
      expect(backoff.recordCrash().action).toBe('restart')
      advance(CRASH_WINDOW_MS)
    }
    backoff.recordRegistered() // a standby registered
    expect(backoff.startFailureRun).toBe(0)
    expect(backoff.recordCrash().action).toBe('restart')
    advance(CRASH_WINDOW_MS)
    expect(backoff.recordCrash().action).toBe('restart')
    advance(CRASH_WINDOW_MS)
    expect(backoff.recordCrash().action).toBe('give-up')
  })
})

describe('RestartBackoff for hosts that may sit paused in a debugger', () => {
  it('never gives up on start failures when they are not counted, and still waits with backoff', () => {
    const { backoff } = makeBackoff({ countsStartFailures: false, maxRestarts: 2 })
    const delays: number[] = []
    for (let i = 0; i < 10; i++) delays.push(delayOf(backoff))
    expect(backoff.startFailureRun).toBe(0)
    expect(delays.slice(0, 4)).toEqual([100, 200, 400, 800])
  })

  it('still gives up on serving losses within the window', () => {
    const { backoff, advance } = makeBackoff({ countsStartFailures: false, maxRestarts: 2 })
    backoff.recordRunning()
    advance(1_000)
    expect(backoff.recordCrash()).toMatchObject({ action: 'restart', kind: 'serving-loss' })
    backoff.recordRunning()
    advance(1_000)
    expect(backoff.recordCrash()).toMatchObject({ action: 'give-up', kind: 'serving-loss' })
  })
})

describe('RestartBackoff options', () => {
  it('refuses options that are not non-negative integers', () => {
    expect(() => new RestartBackoff({ maxRestarts: -1 })).toThrow(RangeError)
    expect(() => new RestartBackoff({ maxDelayMs: 1.5 })).toThrow(/maxDelayMs must be a non-negative integer/)
  })
})

describe('RestartBackoff: a crash loop told from a crash (ARCHITECTURE §4, second version)', () => {
  it('replaces a host lost 250 ms or more after registering at once, every time', () => {
    const { backoff, advance } = makeBackoff({ maxRestarts: 100 })
    for (let i = 0; i < 5; i++) {
      backoff.recordRunning()
      advance(1_000) // a kill a second apart
      expect(backoff.recordCrash()).toMatchObject({ action: 'restart', kind: 'serving-loss', delayMs: 0 })
    }
  })

  it('counts serving losses and start failures alike toward giving up within 60 s', () => {
    const { backoff, advance } = makeBackoff({ maxRestarts: 3 })
    backoff.recordRunning()
    advance(1_000)
    expect(backoff.recordCrash()).toMatchObject({ action: 'restart', kind: 'serving-loss' })
    expect(backoff.recordCrash()).toMatchObject({ action: 'restart', kind: 'start-failure' })
    expect(backoff.recordLoss('serving-loss')).toEqual({
      action: 'give-up',
      crashesInWindow: 3,
      kind: 'serving-loss',
    })
  })

  it('measures the 250 ms from the registration time it is given (a promoted standby)', () => {
    const { backoff, advance } = makeBackoff()
    advance(10_000)
    backoff.recordRunning(1_000_000) // registered 10 s ago as a standby, promoted now
    advance(10)
    expect(backoff.recordCrash()).toMatchObject({ kind: 'serving-loss', delayMs: 0 })
  })
})
