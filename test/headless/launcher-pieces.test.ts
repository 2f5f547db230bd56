import { afterEach, describe, expect, it } from 'vitest'
import { REASON_OVERFLOW } from '../../src/main/host-pipe'
import { DiagnosticsServer } from '../../src/main/headless/diagnostics-server'
import type { DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import { makeLauncherRig } from '../support/launcher-harness'
import { httpRequest } from '../support/launcher-http'

const TOKEN = 'wiring-token'
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

/** The launcher's building blocks and the HTTP server, wired as launcher.ts will wire them. */
async function makeLauncherPieces() {
  const rig = makeLauncherRig()
  const { feed } = rig
  const server = new DiagnosticsServer({
    source: feed,
    token: TOKEN,
    actions: ['kill-host', 'stop-host', 'start-host', 'burst'],
    subscribeEvents: (fn) => {
      const subscription = rig.bus.onDidEmit(fn)
      return () => subscription.dispose()
    },
  })
  const port = await server.listen()
  cleanups.push(
    () => server.close(),
    () => feed.dispose(),
    () => rig.coordinator.dispose(),
  )
  const api = (path: string, method = 'GET', body?: unknown) =>
    httpRequest(port, path, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  return { ...rig, api }
}

describe('launcher pieces over HTTP', () => {
  it('stop-host then burst 100: the badge reads stopped, the buffer holds 64 and overflowed 36', async () => {
    const p = await makeLauncherPieces()
    p.supervisor.startHost()
    await p.connect()
    p.supervisor.markRunning()

    expect((await p.api('/api/actions/stop-host', 'POST')).status).toBe(202)
    p.spawner.last.exit() // the host leaves once its connection closed / on SIGTERM
    expect((await p.api('/api/actions/burst', 'POST', { count: 100 })).status).toBe(202)

    const s = (await p.api('/api/snapshot')).json() as DiagnosticsSnapshot
    expect(s).toMatchObject({ state: 'stopped', hostPid: null, pending: 64, capacity: 64 })
    expect(s.counters.droppedOverflow).toBe(36)
    expect(s.sagas).toEqual({ started: 100, completed: 0, failed: 36, inFlight: 64, lateReports: 0 })
    expect(s.expiresInMs).toBe(30_000)
    expect(s.events.map((e) => e.message)).toContain(
      `36 sagas (spawn_pool_window) failed (saga 1 … saga 36): ${REASON_OVERFLOW}`,
    )
    expect(s.commands).toEqual([
      { name: 'spawn_pool_window', calls: 100, running: 64, failed: 36, p50Ms: 0, p99Ms: 0 },
    ])

    // start-host: a new host registers and the buffer drains into it.
    expect((await p.api('/api/actions/start-host', 'POST')).status).toBe(202)
    const w = await p.connect()
    p.supervisor.markRunning()
    expect(w.lines).toHaveLength(64)
    const after = (await p.api('/api/snapshot')).json() as DiagnosticsSnapshot
    expect(after).toMatchObject({ state: 'connected', pending: 0, restarts: 0 })
  })

  it('kill-host names a slot: slot 0 is the host, a slot past the launcher’s is 404 and kills nothing', async () => {
    const p = await makeLauncherPieces()
    p.supervisor.startHost()
    await p.connect()
    p.supervisor.markRunning()
    const missing = await p.api('/api/actions/kill-host', 'POST', { slot: 1 })
    expect(missing.status).toBe(404)
    expect(missing.json()).toEqual({ error: 'no host in slot 1' })
    expect(p.spawner.last.signals).toEqual([])
    const killed = await p.api('/api/actions/kill-host', 'POST', { slot: 0 })
    expect(killed.status).toBe(202)
    expect(killed.json()).toMatchObject({ detail: expect.stringContaining('slot 0') })
    expect(p.spawner.last.signals).toEqual(['SIGKILL'])
  })

  it('kill-host: the supervisor restarts the host and the snapshot counts the restart', async () => {
    const p = await makeLauncherPieces()
    p.supervisor.startHost()
    await p.connect()
    const res = await p.api('/api/actions/kill-host', 'POST')
    expect(res.status).toBe(202)
    expect(p.spawner.last.signals).toEqual(['SIGKILL'])
    p.pipe.clearWriter()
    p.spawner.last.exit()
    p.clock.advance(100)
    const s = (await p.api('/api/snapshot')).json() as DiagnosticsSnapshot
    expect(s).toMatchObject({ state: 'disconnected', restarts: 1, hostPid: p.spawner.last.pid })
  })
})
