// The launcher as shipped (`node out/main/headless.js`), with real host processes, driven through
// its HTTP API as the panel drives it, and watched through its event stream.
import { afterEach, describe, expect, it } from 'vitest'
import type { DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import { startHeadless, type HeadlessLauncher } from '../support/headless-launcher'
import { waitFor } from '../support/ipc-wait'
import { subscribeSse, type SseClient } from '../support/sse-client'

let launcher: HeadlessLauncher | undefined
let sse: SseClient | undefined

afterEach(async () => {
  sse?.close()
  sse = undefined
  await launcher?.stop()
  launcher = undefined
})

async function start(args: string[] = []): Promise<HeadlessLauncher> {
  launcher = await startHeadless(args)
  sse = await subscribeSse(launcher.origin, launcher.token)
  return launcher
}

async function api(path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${launcher!.origin}${path}`, {
    method: body === undefined && path.endsWith('snapshot') ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${launcher!.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, json: await res.json() }
}

const snapshot = async (): Promise<DiagnosticsSnapshot> =>
  (await api('/api/snapshot')).json as DiagnosticsSnapshot

/** saga id → its terminal events seen on the stream. */
function terminals(): Map<number, string[]> {
  const out = new Map<number, string[]>()
  for (const e of sse!.events) {
    if (e.event !== 'saga_completed' && e.event !== 'saga_failed') continue
    const id = e.saga_id as number
    out.set(id, [
      ...(out.get(id) ?? []),
      e.event === 'saga_failed' ? `failed: ${String(e.reason)}` : 'completed',
    ])
  }
  return out
}

async function allSagasEnded(timeoutMs = 30_000): Promise<DiagnosticsSnapshot> {
  let last: DiagnosticsSnapshot | undefined
  await waitFor(
    async () => {
      last = await snapshot()
      return last.sagas.inFlight === 0
    },
    'every saga to end',
    timeoutMs,
    50,
  )
  return last!
}

describe('the headless launcher with real hosts', () => {
  it('prints exactly one line on stdout, the Diagnostics URL, once the host has registered', async () => {
    const l = await start()
    expect(l.stdout).toEqual([expect.stringMatching(/^Diagnostics: http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/)])
    expect((await snapshot()).state).toBe('connected')
  })

  it('kill-host {"slot":N}: a slot with no host answers 404 naming it and kills nothing', async () => {
    await start()
    const before = await snapshot()
    const missing = await api('/api/actions/kill-host', { slot: 3 })
    expect(missing).toEqual({ status: 404, json: { error: 'no host in slot 3' } })
    const bad = await api('/api/actions/kill-host', { slot: 'x' })
    expect(bad).toEqual({ status: 400, json: { error: 'slot must be a non-negative integer, got "x"' } })
    const after = await snapshot()
    expect(after).toMatchObject({ state: 'connected', hostPid: before.hostPid, restarts: 0 })
    expect(after.hosts).toEqual([expect.objectContaining({ slot: 0, pid: before.hostPid })])
  })

  for (const transport of ['pipe', 'port'] as const) {
    it(`runs sagas end to end over the ${transport} transport: every one completes, acked`, async () => {
      await start(['--transport', transport])
      expect((await api('/api/actions/burst', { count: 500 })).status).toBe(202)
      const s = await allSagasEnded()
      expect(s).toMatchObject({ transport, sagas: { started: 500, completed: 500, failed: 0 } })
      expect(s.counters.acked).toBe(500)
      await waitFor(() => terminals().size === 500, 'all 500 terminal events on the stream')
      expect([...terminals().values()].every((t) => t.length === 1 && t[0] === 'completed')).toBe(true)
      if (transport === 'pipe') expect(s.socketPath).toMatch(/host\.sock$/)
      else expect(s.socketPath).toBeNull()
    })
  }

  it('SIGKILL during a 2,000-saga burst: every saga ends exactly once, the host restarts, new sagas complete', async () => {
    // 1 ms per command: the burst takes seconds, so the kill lands in the middle of it.
    await start(['--max-restarts', '10', '--host-delay-ms', '1'])
    const before = await snapshot()
    expect((await api('/api/actions/burst', { count: 2000 })).status).toBe(202)
    expect((await api('/api/actions/kill-host')).status).toBe(202)
    const after = await allSagasEnded()
    expect(after.sagas.started).toBe(2000)
    expect(after.sagas.completed + after.sagas.failed).toBe(2000)
    expect(after.sagas.completed).toBeGreaterThan(0)
    expect(after.sagas.failed).toBeGreaterThan(0)
    await waitFor(() => terminals().size === 2000, 'a terminal event for each of the 2,000 sagas')
    const seen = terminals()
    for (let id = 1; id <= 2000; id++) expect(seen.get(id), `saga ${id}`).toHaveLength(1)
    // Nothing was acked and then failed: the pipe's own accounting closes.
    expect(after.counters.sent).toBe(after.counters.acked + after.counters.failedBeforeAck)

    await waitFor(async () => (await snapshot()).state === 'connected', 'the restarted host', 10_000, 50)
    const restarted = await snapshot()
    expect(restarted.hostPid).not.toBe(before.hostPid)
    expect(restarted.sessionId).toBeGreaterThan(before.sessionId)
    expect(restarted.restarts).toBeGreaterThanOrEqual(1)
    await api('/api/actions/burst', { count: 100 })
    const end = await allSagasEnded()
    expect(end.sagas.completed).toBe(after.sagas.completed + 100)
  })

  it('stop-host + burst 100: the buffer fills to 64, the 36 oldest sagas fail by overflow, start-host drains the rest', async () => {
    await start(['--saga-timeout-ms', '60000'])
    expect((await api('/api/actions/stop-host')).status).toBe(202)
    await waitFor(async () => (await snapshot()).state === 'stopped', 'state stopped', 10_000, 50)
    await api('/api/actions/burst', { count: 100 })
    const full = await snapshot()
    expect(full).toMatchObject({ pending: 64, hostPid: null, counters: { droppedOverflow: 36 } })
    expect(full.expiresInMs).toBeGreaterThan(0)
    const failed = [...terminals()].filter(([, t]) => t[0] === 'failed: host pipe backpressure overflow')
    expect(failed.map(([id]) => id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 36 }, (_, i) => i + 1),
    )

    expect((await api('/api/actions/start-host')).status).toBe(202)
    const end = await allSagasEnded()
    expect(end).toMatchObject({ state: 'connected', pending: 0, expiresInMs: null })
    expect(end.sagas).toMatchObject({ started: 100, completed: 64, failed: 36 })
    const completed = [...terminals()].filter(([, t]) => t[0] === 'completed').map(([id]) => id)
    expect(completed.sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i + 37))
  })

  it('exits cleanly on SIGTERM and leaves no host process behind', async () => {
    const l = await start()
    const { hostPid } = await snapshot()
    expect(hostPid).toBeGreaterThan(0)
    const exited = new Promise<number | null>((resolve) => l.process.once('exit', (code) => resolve(code)))
    l.process.kill('SIGTERM')
    expect(await exited).toBe(0)
    const alive = (): boolean => {
      try {
        process.kill(hostPid!, 0)
        return true
      } catch {
        return false
      }
    }
    await waitFor(() => !alive(), 'the host process to be gone', 5_000)
  })
})
