// A poison command (ARCHITECTURE §8): a retryable command that kills every host it reaches fails
// after maxAttempts hosts with `host lost while executing (N attempts)`, and the pool stays up.
// Real host processes (test/support/poison-host.mjs wraps out/main/host.js), both transports.
import { resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/main/base/logger'
import { NodeHostSpawner } from '../../src/main/headless/node-host-spawner'
import { createLauncher, type Launcher } from '../../src/main/launcher/launcher'
import type { Event } from '../../src/shared/protocol'
import { requireBuiltHost } from '../support/ipc-launcher-harness'
import { waitFor } from '../support/ipc-wait'

const TRANSPORTS = ['pipe', 'port'] as const

describe.each(TRANSPORTS)('a poison command over the %s transport', (transport) => {
  let launcher: Launcher | undefined
  afterEach(async () => {
    await launcher?.dispose()
    launcher = undefined
  })

  it('fails after 2 attempts (two hosts lost), and the pool stays up and serves the next sagas', async () => {
    requireBuiltHost()
    const spawner = new NodeHostSpawner({
      hostScript: resolve('test/support/poison-host.mjs'),
      baseEnv: { ...process.env, HOSTPIPE_POISON_LABEL: 'poison' },
      log: silentLogger,
    })
    launcher = createLauncher({ spawner, transport, log: silentLogger })
    const events: Event[] = []
    launcher.subscribeEvents((e) => events.push(e))
    await launcher.start()
    const feed = launcher.diagnostics
    await waitFor(() => feed.snapshot().standby === 1, 'a standby ready', 10_000, 10)

    const ended = (id: number) =>
      events.find((e) => (e.event === 'saga_completed' || e.event === 'saga_failed') && e.saga_id === id)
    const healthy = launcher.startSaga({ cmd: 'reap_panes', label: 'fine' })
    await waitFor(() => ended(healthy) !== undefined, 'the healthy saga to end', 10_000, 10)
    expect(ended(healthy)).toMatchObject({ event: 'saga_completed' })

    const poison = launcher.startSaga({ cmd: 'reap_panes', label: 'poison' })
    await waitFor(() => ended(poison) !== undefined, 'the poison saga to end', 15_000, 10)
    expect(ended(poison)).toMatchObject({
      event: 'saga_failed',
      // The poison host kills itself with SIGKILL: the reason names how it ended.
      reason: 'host lost while executing (2 attempts) (killed by SIGKILL)',
    })
    // The two hosts it reached were lost and replaced, no more (the bound held).
    await waitFor(() => feed.snapshot().restarts === 2, 'the second host replaced', 10_000, 10)

    // The pool is up: not given up, a host connected, and new sagas complete.
    await waitFor(() => feed.snapshot().state === 'connected', 'a host connected', 10_000, 10)
    await feed.act('burst', { count: 10 })
    await waitFor(() => feed.snapshot().sagas.inFlight === 0, 'the burst to end', 10_000, 10)
    expect(feed.snapshot().sagas).toMatchObject({ started: 12, completed: 11, failed: 1 })
    expect(feed.snapshot()).toMatchObject({ state: 'connected', restarts: 2 })
  })
})
