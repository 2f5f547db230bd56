// Calls side by side on one real host process (its entry file uses the built `hostpipe/host`,
// dist/): async handlers overlap, so time spent behind another call does not count against a
// call's timeout, and a long call holds up nothing behind it.
import { describe, expect, it } from 'vitest'
import { embedCommands } from '../support/embed-commands'
import { fixturePath, launcherFixture } from '../support/launcher-fixture'

const start = launcherFixture({
  hostEntry: fixturePath('embed/host.mjs'),
  commands: embedCommands,
  standby: 0,
})

describe('calls side by side on one host', () => {
  it('completes eight concurrent 1 s async calls, each within its 4 s timeout', async () => {
    const l = await start()
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => l.call('wait', { ms: 1000 }, { timeoutMs: 4000 })),
    )
    expect(outcomes).toEqual(Array.from({ length: 8 }, () => ({ waited: 1000 })))
  })

  it('resolves every call made while a 3 s call runs before that call', async () => {
    const l = await start()
    const order: string[] = []
    const long = l.call('wait', { ms: 3000 }, { timeoutMs: 10_000 }).then(() => order.push('long'))
    const short = Array.from({ length: 6 }, (_, i) =>
      (i % 2 === 0 ? l.call('add', { a: i, b: 1 }) : l.call('wait', { ms: 20 * i })).then(() =>
        order.push(`short ${i}`),
      ),
    )
    await Promise.all([long, ...short])
    expect(order).toHaveLength(7)
    expect(order.at(-1)).toBe('long')
  })

  it('rejects with QUEUE_FULL exactly beyond maxQueued calls waiting in the launcher, sending nothing', async () => {
    const l = await start({ concurrency: 1, maxQueued: 3 })
    const running = l.call('wait', { ms: 300 }, { timeoutMs: 5000 })
    const waiting = Array.from({ length: 3 }, (_, i) => l.call('add', { a: i, b: 1 }))
    const sentBefore = l.diagnostics().counters.sent
    await expect(l.call('add', { a: 9, b: 9 })).rejects.toMatchObject({ code: 'QUEUE_FULL' })
    expect(l.diagnostics().counters.sent).toBe(sentBefore)
    await expect(running).resolves.toEqual({ waited: 300 })
    await expect(Promise.all(waiting)).resolves.toEqual([{ sum: 1 }, { sum: 2 }, { sum: 3 }])
  })
})
