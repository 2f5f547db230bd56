import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../support/ipc-wait'
import { httpRequest, type HttpAnswer } from '../support/launcher-http'

const HEADLESS = resolve('out/main/headless.js')
const isLinux = process.platform === 'linux'

/**
 * The real headless launcher (`node out/main/headless.js --port 0`), probed as a hostile page in
 * another browser tab or another local user would. test/headless/diagnostics-server.test.ts checks
 * the same guards on the server alone; this checks them on the entry as shipped (its binding, its
 * token, its logs), and adds CORS preflights.
 */
describe('the headless diagnostics server, as shipped', () => {
  let child: ChildProcess
  let configDir: string
  let port: number
  let token: string
  let stderr = ''

  beforeAll(async () => {
    if (!existsSync(HEADLESS)) throw new Error(`${HEADLESS} is missing: run \`npm run build\` first`)
    configDir = await mkdtemp(join(tmpdir(), 'hostpipe-sec-'))
    child = spawn(process.execPath, [HEADLESS, '--port', '0'], {
      // The log file lands in configDir; debug level logs the most there is to leak.
      env: { ...process.env, XDG_CONFIG_HOME: configDir, HOSTPIPE_LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    await waitFor(() => stdout.includes('\n') || child.exitCode !== null, 'the Diagnostics line', 15_000)
    const m = /^Diagnostics: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)\n$/.exec(stdout)
    if (!m) throw new Error(`unexpected stdout ${JSON.stringify(stdout)}; stderr:\n${stderr}`)
    port = Number(m[1])
    token = m[2]!
  })

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM')
      await waitFor(() => child.exitCode !== null, 'the launcher to exit', 10_000)
    }
    await rm(configDir, { recursive: true, force: true })
  })

  const ours = (): Record<string, string> => ({ Host: `127.0.0.1:${port}` })
  const api = (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpAnswer> =>
    httpRequest(port, path, { method, headers: { ...ours(), ...headers } })
  const corsHeaders = (res: HttpAnswer): string[] =>
    Object.keys(res.headers).filter((h) => h.toLowerCase().startsWith('access-control-'))

  it.skipIf(!isLinux)('listens on 127.0.0.1 only: no other interface, no IPv6', async () => {
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
    const listening = async (file: string): Promise<string[]> =>
      (await readFile(file, 'utf8').catch(() => ''))
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
        .map((f) => f[1]!.split(':')[0]!)
    expect(await listening('/proc/net/tcp')).toEqual(['0100007F'])
    expect(await listening('/proc/net/tcp6')).toEqual([])
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)
    if (external) {
      const outcome = await new Promise<string>((done) => {
        const s = connect({ host: external.address, port })
        s.once('connect', () => (s.destroy(), done('connected')))
        s.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'))
      })
      expect(outcome).toBe('ECONNREFUSED')
    }
  })

  it('answers 401 on /api/* without the token or with a wrong one of any length, 200 with it', async () => {
    const wrong = [
      '',
      'x',
      token.slice(0, -1),
      token + 'A',
      token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    ]
    for (const path of ['/api/snapshot', '/api/events', '/api/actions/kill-host']) {
      const method = path.startsWith('/api/actions') ? 'POST' : 'GET'
      expect((await api(path, {}, method)).status).toBe(401)
      for (const t of wrong) {
        expect((await api(`${path}?token=${encodeURIComponent(t)}`, {}, method)).status).toBe(401)
        expect((await api(path, { Authorization: `Bearer ${t}` }, method)).status).toBe(401)
      }
    }
    const ok = await api('/api/snapshot', { Authorization: `Bearer ${token}` })
    expect(ok.status).toBe(200)
    expect(ok.json()).toMatchObject({ state: 'connected', transport: 'pipe' })
  })

  it('refuses a foreign Host with 421 even with the token (DNS rebinding)', async () => {
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `localhost.evil.example:${port}`,
      '127.0.0.1',
    ]) {
      expect((await api(`/api/snapshot?token=${token}`, { Host: host })).status).toBe(421)
      expect((await api('/', { Host: host })).status).toBe(421)
    }
  })

  it('refuses a foreign Origin with 403 even with the token, a cross-site form post included', async () => {
    for (const origin of [
      'http://evil.example',
      'null',
      `http://127.0.0.1.nip.io:${port}`,
      `https://127.0.0.1:${port}`,
    ]) {
      const res = await api(`/api/actions/kill-host?token=${token}`, { Origin: origin }, 'POST')
      expect(res.status).toBe(403)
    }
    const form = await httpRequest(port, `/api/actions/burst?token=${token}`, {
      method: 'POST',
      headers: { ...ours(), Origin: 'http://evil.example', 'Content-Type': 'text/plain' },
      body: '{"count":100000}',
    })
    expect(form.status).toBe(403)
    const s = (await api('/api/snapshot', { Authorization: `Bearer ${token}` })).json() as {
      sagas: { started: number }
    }
    expect(s.sagas.started).toBe(0)
  })

  it('sends no CORS headers on any answer, preflights included', async () => {
    const preflight = (origin: string, path: string) =>
      api(
        path,
        {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization',
        },
        'OPTIONS',
      )
    const answers = [
      await preflight('http://evil.example', '/api/actions/burst'),
      await preflight(`http://127.0.0.1:${port}`, '/api/actions/burst'),
      await preflight('http://evil.example', '/'),
      await api('/'),
      await api('/api/snapshot', { Origin: `http://127.0.0.1:${port}`, Authorization: `Bearer ${token}` }),
      await api('/api/snapshot', { Origin: 'http://evil.example', Authorization: `Bearer ${token}` }),
      await api('/api/snapshot'),
    ]
    for (const res of answers) expect(corsHeaders(res)).toEqual([])
    for (const res of answers.slice(0, 3)) expect(res.status).toBeGreaterThanOrEqual(400)
    // The page URL carries the token: it must not leak through Referer, nor the page be framed.
    expect(answers[3]!.headers['referrer-policy']).toBe('no-referrer')
    expect(answers[3]!.headers['x-frame-options']).toBe('DENY')
  })

  it('never writes the token to its log (stderr and the log file), nor serves it in the page', async () => {
    // Wrong-token attempts above were logged at debug level, if at all.
    expect(stderr.length).toBeGreaterThan(0)
    expect(stderr).not.toContain(token)
    const files = (await readdir(configDir, { recursive: true, withFileTypes: true })).filter((e) =>
      e.isFile(),
    )
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) expect(await readFile(join(f.parentPath, f.name), 'utf8')).not.toContain(token)
    expect((await api('/')).text).not.toContain(token)
  })
})
