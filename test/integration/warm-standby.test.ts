// Warm standby and the restart policy (ARCHITECTURE §4, §8) with the launcher as shipped and real
// host processes: SIGKILL of the active host promotes the standby, a replacement standby follows,
// stop-host and the launcher's exit leave no host of either role, and a serving host lost with
// standby off is replaced without a backoff wait.
import { afterEach, describe, expect, it } from 'vitest'
import type { Logger } from '../../src/main/base/logger'
import { NodeHostSpawner } from '../../src/main/headless/node-host-spawner'
import type { HostProcess, HostSpawner, SpawnHostOptions } from '../../src/main/launcher/host-spawner'
import { createLauncher, type Launcher } from '../../src/main/launcher/launcher'
import type { DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import { HOST_SCRIPT, requireBuiltHost } from '../support/ipc-launcher-harness'
import { startHeadless, type HeadlessLauncher } from '../support/headless-launcher'
import { waitFor } from '../support/ipc-wait'

const TRANSPORTS = ['pipe', 'port'] as const

let launcher: HeadlessLauncher | undefined

afterEach(async () => {
  await launcher?.stop()
  launcher = undefined
})

async function api(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${launcher!.origin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${launcher!.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return res.json()
}

const snapshot = async (): Promise<DiagnosticsSnapshot> => (await api('/api/snapshot')) as DiagnosticsSnapshot

async function until(
  what: string,
  test: (s: DiagnosticsSnapshot) => boolean,
  timeoutMs = 10_000,
): Promise<DiagnosticsSnapshot> {
  let last: DiagnosticsSnapshot | undefined
  await waitFor(
    async () => {
      last = await snapshot()
      return test(last)
    },
    what,
    timeoutMs,
    20,
  )
  return last!
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe.each(TRANSPORTS)('warm standby over the %s transport (real processes)', (transport) => {
  it('promotes the standby when the active host is SIGKILLed, spawns a new standby, and sagas complete', async () => {
    launcher = await startHeadless(['--transport', transport])
    const before = await until('a standby ready', (s) => s.standby === 1 && s.state === 'connected')
    const activePid = before.hostPid!
    const standbyPid = before.standbyPids[0]!
    expect(standbyPid).not.toBe(activePid)

    process.kill(activePid, 'SIGKILL')
    const after = await until('the standby promoted', (s) => s.hostPid === standbyPid && s.connected)
    expect(after).toMatchObject({ failovers: 1, restarts: 1, sessionId: before.sessionId + 1 })
    const refilled = await until('a replacement standby ready', (s) => s.standby === 1)
    expect(refilled.standbyPids[0]).not.toBe(standbyPid)
    expect(refilled.standbyPids[0]).not.toBe(activePid)
    expect(refilled.events.map((e) => e.message)).toContainEqual(
      `standby pid ${standbyPid} promoted to active host`,
    )

    await api('/api/actions/burst', { count: 20 })
    const done = await until('the burst to end', (s) => s.sagas.inFlight === 0)
    expect(done.sagas).toMatchObject({ started: 20, completed: 20, failed: 0 })
  })

  it('stop-host holds every host down and promotes nothing; start-host brings both roles back', async () => {
    launcher = await startHeadless(['--transport', transport])
    const up = await until('a standby ready', (s) => s.standby === 1 && s.state === 'connected')
    const pids = [up.hostPid!, up.standbyPids[0]!]
    await api('/api/actions/stop-host', {})
    const stopped = await until('stopped', (s) => s.state === 'stopped')
    expect(stopped).toMatchObject({ failovers: 0, standby: 0, hostPid: null })
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 'both hosts to exit', 5_000, 20)

    await api('/api/actions/start-host', {})
    const back = await until('both roles back', (s) => s.state === 'connected' && s.standby === 1)
    expect(back.failovers).toBe(0)
    expect([back.hostPid, ...back.standbyPids].some((pid) => pid !== null && pids.includes(pid))).toBe(false)
  })

  it('leaves no host of either role when the launcher exits', async () => {
    launcher = await startHeadless(['--transport', transport])
    const up = await until('a standby ready', (s) => s.standby === 1 && s.state === 'connected')
    const pids = [up.hostPid!, up.standbyPids[0]!]
    await launcher.stop()
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 'both hosts to exit', 5_000, 20)
  })
})

describe('restart policy with real processes (§4, second version)', () => {
  it('replaces a serving host that is SIGKILLed at once, every time (no doubled wait), with --standby 0', async () => {
    launcher = await startHeadless(['--standby', '0'])
    let s = await until('connected', (x) => x.state === 'connected')
    for (let kill = 1; kill <= 3; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 300)) // serving: past the 250 ms window
      const pid = s.hostPid!
      process.kill(pid, 'SIGKILL')
      s = await until(`host replaced after kill ${kill}`, (x) => x.connected && x.hostPid !== pid)
      expect(s.restarts).toBe(kill)
    }
    const scheduled = s.events.map((e) => e.message).filter((m) => m.startsWith('restarting host in'))
    expect(scheduled).toEqual([
      'restarting host in 0 ms',
      'restarting host in 0 ms',
      'restarting host in 0 ms',
    ])
    expect(s.standby).toBe(0)
    expect(s.failovers).toBe(0)
  })
})

/** Spawns real hosts but drops HOSTPIPE_ROLE: hosts that do not know the `role` field. */
class RolelessSpawner implements HostSpawner {
  readonly spawned: HostProcess[] = []
  private readonly real: NodeHostSpawner
  constructor(log: Logger) {
    this.real = new NodeHostSpawner({ hostScript: HOST_SCRIPT, log })
  }
  spawn(opts: SpawnHostOptions): HostProcess {
    const host = this.real.spawn({ ...opts, role: undefined })
    this.spawned.push(host)
    return host
  }
}

describe('a host spawned as standby that registers without role (real processes)', () => {
  let inProcess: Launcher | undefined
  afterEach(async () => {
    await inProcess?.dispose()
    inProcess = undefined
  })

  it('is closed, standby is turned off with one warning, and the active host keeps serving', async () => {
    requireBuiltHost()
    const warnings: string[] = []
    const log: Logger = { debug() {}, info() {}, warn: (...a) => void warnings.push(a.join(' ')), error() {} }
    const spawner = new RolelessSpawner(log)
    inProcess = createLauncher({ spawner, log, standby: 1 })
    await inProcess.start()
    const feed = inProcess.diagnostics
    const activePid = feed.snapshot().hostPid
    await waitFor(
      () => feed.snapshot().events.some((e) => e.message.startsWith('standby off:')),
      'standby to be turned off',
      10_000,
      20,
    )
    const standbyPid = spawner.spawned[1]!.pid!
    await waitFor(() => !isAlive(standbyPid), 'the role-less standby to exit', 5_000, 20)
    expect(feed.snapshot()).toMatchObject({
      hostPid: activePid,
      standby: 0,
      failovers: 0,
      state: 'connected',
    })
    expect(warnings.filter((w) => w.includes('standby turned off'))).toHaveLength(1)
    expect(spawner.spawned).toHaveLength(2)
    await feed.act('burst', { count: 10 })
    await waitFor(() => feed.snapshot().sagas.inFlight === 0, 'the burst to end', 10_000, 20)
    expect(feed.snapshot().sagas).toMatchObject({ started: 10, completed: 10, failed: 0 })
  })
})

describe.each(TRANSPORTS)(
  'a SIGKILL with commands in flight over the %s transport (real processes)',
  (transport) => {
    let direct: Launcher | undefined
    afterEach(async () => {
      await direct?.dispose()
      direct = undefined
    })

    it('completes every retryable saga on the promoted standby; at-most-once ones in flight fail, none waiting is lost', async () => {
      requireBuiltHost()
      direct = createLauncher({
        spawner: new NodeHostSpawner({ hostScript: HOST_SCRIPT }),
        transport,
        // 5 ms a command: most sagas below are still in flight or waiting when the host is killed,
        // more retryable ones than the buffer's 64 frames among them.
        hostArgs: ['--host-delay-ms', '5'],
      })
      const ends = new Map<number, string>()
      direct.subscribeEvents((e) => {
        if (e.event === 'saga_completed') ends.set(e.saga_id, 'completed')
        else if (e.event === 'saga_failed') ends.set(e.saga_id, e.reason)
      })
      await direct.start()
      await waitFor(() => direct!.diagnostics.snapshot().standby === 1, 'a ready standby', 10_000)
      const before = direct.diagnostics.snapshot()
      const retried: number[] = []
      const once: number[] = []
      for (let i = 0; i < 100; i++) {
        retried.push(direct.startSaga({ cmd: 'reap_panes', label: 'w1' }))
        once.push(direct.startSaga({ cmd: 'spawn_pool_window' }))
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(ends.size).toBeLessThan(150) // most are still in flight or waiting
      process.kill(before.hostPid!, 'SIGKILL')
      await waitFor(() => ends.size === 200, 'every saga to end', 20_000)
      const after = direct.diagnostics.snapshot()
      expect(after.failovers).toBe(1)
      expect(retried.map((id) => ends.get(id))).toEqual(retried.map(() => 'completed'))
      const onceEnds = once.map((id) => ends.get(id))
      // Truthful: a spawn_pool_window lost in flight may have run, so it fails, and says why.
      expect(
        onceEnds.filter((e) => e !== 'completed' && !e?.startsWith('host disconnected before ack')),
      ).toEqual([])
      expect(after.counters).toMatchObject({ droppedOverflow: 0, droppedExpired: 0 })
    })
  },
)
