// ARCHITECTURE §2, "Two secrets": hosts register with the host token (env HOSTPIPE_TOKEN, never
// printed), tools and the HTTP API use the API token (the one in the Diagnostics URL), and each is
// refused where the other belongs. Checked on the shipped headless launcher with its real host.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import { startHeadless, type HeadlessLauncher } from '../support/headless-launcher'
import { HOST_SCRIPT } from '../support/ipc-launcher-harness'
import { RawClient } from '../support/ipc-raw-client'
import { httpRequest } from '../support/launcher-http'

const hasProc = existsSync('/proc/self/environ')

describe.skipIf(!hasProc)('two secrets: the host token and the API token', () => {
  let launcher: HeadlessLauncher
  let port: number
  let hostToken: string
  let snapshot: DiagnosticsSnapshot

  beforeAll(async () => {
    launcher = await startHeadless()
    port = Number(new URL(launcher.origin).port)
    const res = await httpRequest(port, '/api/snapshot', {
      headers: { Authorization: `Bearer ${launcher.token}` },
    })
    expect(res.status).toBe(200)
    snapshot = res.json() as DiagnosticsSnapshot
    // The host token is in the host's environment (this user may read it), nowhere else.
    const environ = readFileSync(`/proc/${snapshot.hostPid}/environ`, 'utf8').split('\0')
    hostToken = environ.find((e) => e.startsWith('HOSTPIPE_TOKEN='))!.slice('HOSTPIPE_TOKEN='.length)
    expect(hostToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(hostToken).not.toBe(launcher.token)
  })

  afterAll(async () => {
    await launcher?.stop()
  })

  async function register(token: string, kind: 'host' | 'tool'): Promise<Record<string, unknown>> {
    const client = await RawClient.connect(snapshot.socketPath!)
    try {
      client.register(token, kind)
      return await client.waitForFrame((f) => f.event === 'registered' || f.event === 'error', 'an answer')
    } finally {
      client.destroy()
    }
  }

  it('1. a tool presenting the host token is refused', async () => {
    expect(await register(hostToken, 'tool')).toMatchObject({
      event: 'error',
      code: 'unauthorized',
      fatal: true,
      message: "`token` does not match this launch's API token (the one in the Diagnostics URL)",
    })
    expect(await register(launcher.token, 'tool')).toMatchObject({ event: 'registered' })
  })

  it('2. a host presenting the API token is refused', async () => {
    expect(await register(launcher.token, 'host')).toMatchObject({
      event: 'error',
      code: 'unauthorized',
      fatal: true,
      message: "`token` does not match this launch's host token (HOSTPIPE_TOKEN)",
    })
  })

  it('3. the HTTP API refuses the host token, in the header or the query, on every route', async () => {
    for (const [method, path] of [
      ['GET', '/api/snapshot'],
      ['GET', '/api/events'],
      ['POST', '/api/actions/kill-host'],
      ['POST', '/api/actions/burst'],
    ] as const) {
      const viaHeader = await httpRequest(port, path, {
        method,
        headers: { Authorization: `Bearer ${hostToken}`, 'Content-Type': 'application/json' },
        body: path.endsWith('burst') ? '{"count":1}' : undefined,
      })
      expect(viaHeader.status, `${method} ${path}`).toBe(401)
      const viaQuery = await httpRequest(port, `${path}?token=${hostToken}`, { method })
      expect(viaQuery.status, `${method} ${path}?token=`).toBe(401)
    }
    const after = await httpRequest(port, '/api/snapshot', {
      headers: { Authorization: `Bearer ${launcher.token}` },
    })
    expect((after.json() as DiagnosticsSnapshot).hostPid).toBe(snapshot.hostPid)
  })

  it('4. a real host process given the API token is refused and exits; the serving host stays', async () => {
    const intruder = spawn(process.execPath, [HOST_SCRIPT], {
      env: { ...process.env, HOSTPIPE_PIPE: snapshot.socketPath!, HOSTPIPE_TOKEN: launcher.token },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    intruder.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const code = await new Promise<number | null>((resolve) => intruder.once('exit', resolve))
    expect(code).toBe(1)
    expect(stderr).toContain('unauthorized')
    const after = await httpRequest(port, '/api/snapshot', {
      headers: { Authorization: `Bearer ${launcher.token}` },
    })
    const s = after.json() as DiagnosticsSnapshot
    expect([s.hostPid, s.sessionId, s.state]).toEqual([snapshot.hostPid, snapshot.sessionId, 'connected'])
  })
})
