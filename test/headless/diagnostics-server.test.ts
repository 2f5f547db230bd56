import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  DIAGNOSTICS_ACTIONS,
  MAX_BURST,
  type ActionBody,
  type ActionResult,
  type DiagnosticsSnapshot,
} from '../../src/shared/diagnostics'
import type { Event } from '../../src/shared/protocol'
import { HostPipe } from '../../src/main/host-pipe'
import { DiagnosticsServer, type DiagnosticsServerOptions } from '../../src/main/headless/diagnostics-server'
import type { DiagnosticsSource } from '../../src/main/launcher/diagnostics-source'
import { httpRequest, openSse, until } from '../support/launcher-http'

const TOKEN = 'c0ffee-token-42'
const SECRET = 'top secret: outside the renderer dir'

/** A whole feed snapshot; the pipe part comes from a fresh HostPipe. */
function sampleSnapshot(over: Partial<DiagnosticsSnapshot> = {}): DiagnosticsSnapshot {
  return {
    ...new HostPipe({ emit: () => {}, nextVersion: () => 0 }).snapshot(),
    state: 'connected',
    hostPid: 1234,
    hosts: [{ slot: 0, pid: 1234, state: 'connected', inFlight: 0, restarts: 0 }],
    restarts: 0,
    standby: 0,
    standbyPids: [],
    failovers: 0,
    transport: 'pipe',
    socketPath: '/tmp/hp/pipe.sock',
    sagas: { started: 0, completed: 0, failed: 0, inFlight: 0, lateReports: 0 },
    at: 1_700_000_000_000,
    expiresInMs: null,
    commands: [],
    streams: { open: 0, chunks: 0, bytes: 0 },
    eventsDropped: 0,
    events: [],
    ...over,
  }
}

class FakeSource implements DiagnosticsSource {
  current = sampleSnapshot()
  readonly endListeners = new Set<() => void>()
  readonly listeners = new Set<(s: DiagnosticsSnapshot) => void>()
  readonly acts: Array<{ action: string; body: unknown }> = []
  answer: ActionResult | undefined

  snapshot(): DiagnosticsSnapshot {
    return this.current
  }
  subscribe(fn: (s: DiagnosticsSnapshot) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
  async act(action: Parameters<DiagnosticsSource['act']>[0], body?: ActionBody): Promise<ActionResult> {
    this.acts.push({ action, body })
    return this.answer ?? { ok: true, action, detail: 'done' }
  }
  onDidEnd(fn: () => void): () => void {
    this.endListeners.add(fn)
    return () => this.endListeners.delete(fn)
  }
  end(): void {
    for (const fn of this.endListeners) fn()
  }
  publish(s: DiagnosticsSnapshot): void {
    this.current = s
    for (const fn of this.listeners) fn(s)
  }
}

let dir: string
let source: FakeSource
let eventListeners: Set<(e: Event) => void>
let server: DiagnosticsServer
let port: number

async function startServer(over: Partial<DiagnosticsServerOptions> = {}): Promise<void> {
  server = new DiagnosticsServer({
    source,
    token: TOKEN,
    port: 0,
    staticDir: join(dir, 'renderer'),
    subscribeEvents: (fn) => {
      eventListeners.add(fn)
      return () => eventListeners.delete(fn)
    },
    // Most tests drive the actions; the default (none) has tests of its own.
    actions: DIAGNOSTICS_ACTIONS,
    ...over,
  })
  port = await server.listen()
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hostpipe-http-'))
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true })
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>panel</title>')
  writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(dir, 'renderer', 'assets', 'app.css'), 'body{}')
  writeFileSync(join(dir, 'secret.txt'), SECRET)
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'renderer', 'leak.txt'))
  source = new FakeSource()
  eventListeners = new Set()
  await startServer()
})

afterEach(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const auth = { Authorization: `Bearer ${TOKEN}` }

describe('DiagnosticsServer listening', () => {
  it('binds a free port on 127.0.0.1 when asked for port 0 and prints a tokenised URL', () => {
    expect(port).toBeGreaterThan(0)
    expect(server.port).toBe(port)
    expect(server.url).toBe(`http://127.0.0.1:${port}/?token=${TOKEN}`)
  })

  it('refuses an empty token', () => {
    expect(() => new DiagnosticsServer({ source, token: '' })).toThrow(/token/)
  })
})

describe('DiagnosticsServer API token', () => {
  it('answers 401 with a JSON error without a token', async () => {
    const res = await httpRequest(port, '/api/snapshot')
    expect(res.status).toBe(401)
    expect(res.json()).toEqual({ error: expect.stringContaining('missing token') })
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })

  it('answers 401 to a wrong token in the query or the header', async () => {
    expect((await httpRequest(port, '/api/snapshot?token=nope')).status).toBe(401)
    expect(
      (await httpRequest(port, '/api/snapshot', { headers: { Authorization: 'Bearer nope' } })).status,
    ).toBe(401)
    expect((await httpRequest(port, `/api/snapshot?token=${TOKEN}x`)).status).toBe(401)
    expect(
      (await httpRequest(port, '/api/snapshot', { headers: { Authorization: `Basic ${TOKEN}` } })).status,
    ).toBe(401)
  })

  it('accepts the token as ?token= or as a Bearer header', async () => {
    expect((await httpRequest(port, `/api/snapshot?token=${TOKEN}`)).status).toBe(200)
    expect((await httpRequest(port, '/api/snapshot', { headers: auth })).status).toBe(200)
    expect(
      (await httpRequest(port, '/api/snapshot', { headers: { authorization: `bearer ${TOKEN}` } })).status,
    ).toBe(200)
  })

  it('guards every API route, the event stream and the actions included', async () => {
    for (const [method, path] of [
      ['GET', '/api/events'],
      ['POST', '/api/actions/kill-host'],
      ['GET', '/api/nope'],
      ['GET', '/api'],
    ] as const)
      expect((await httpRequest(port, path, { method })).status).toBe(401)
    expect(source.acts).toEqual([])
  })
})

describe('DiagnosticsServer Host and Origin checks', () => {
  it('refuses a Host that is not our loopback authority (DNS rebinding), on pages and API alike', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      `0.0.0.0:${port}`,
      '127.0.0.1',
    ]) {
      const page = await httpRequest(port, '/', { headers: { Host: host } })
      expect(page.status).toBe(421)
      const api = await httpRequest(port, '/api/snapshot', { headers: { Host: host, ...auth } })
      expect(api.status).toBe(421)
      expect(api.json()).toEqual({ error: expect.any(String) })
    }
  })

  it('accepts localhost:PORT as well as 127.0.0.1:PORT', async () => {
    expect((await httpRequest(port, '/', { headers: { Host: `localhost:${port}` } })).status).toBe(200)
    expect((await httpRequest(port, '/', { headers: { Host: `127.0.0.1:${port}` } })).status).toBe(200)
  })

  it('runs an action that arrives by its deadline and refuses one that arrives later (never late)', async () => {
    await server.close()
    await startServer({ now: () => 5_000 })
    const post = (deadline: string) =>
      httpRequest(port, '/api/actions/kill-host', {
        method: 'POST',
        headers: { ...auth, 'Hostpipe-Deadline': deadline },
      })
    const late = await post('4999')
    expect(late.status).toBe(409)
    expect(late.json()).toEqual({ error: 'kill-host arrived 1 ms after its deadline; not run' })
    expect(source.acts).toEqual([])
    const bad = await post('soon')
    expect(bad.status).toBe(400)
    expect(bad.json()).toEqual({
      error: 'Hostpipe-Deadline must be an integer time in ms since the epoch, got "soon"',
    })
    expect((await post('5000')).status).toBe(202)
    expect(source.acts).toHaveLength(1)
  })

  it('refuses a foreign Origin, accepts our own, and sends no CORS headers', async () => {
    for (const origin of [
      'http://evil.example',
      'null',
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1:${port + 1}`,
    ]) {
      const res = await httpRequest(port, '/api/actions/kill-host', {
        method: 'POST',
        headers: { Origin: origin, ...auth },
      })
      expect(res.status).toBe(403)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
    }
    expect(source.acts).toEqual([])
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const res = await httpRequest(port, '/api/snapshot', { headers: { Origin: origin, ...auth } })
      expect(res.status).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
    }
  })
})

describe('DiagnosticsServer static files', () => {
  it('serves the panel at / without a token, with security headers', async () => {
    const res = await httpRequest(port, '/')
    expect(res.status).toBe(200)
    expect(res.text).toBe('<!doctype html><title>panel</title>')
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/)
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['x-frame-options']).toBe('DENY')
  })

  it('serves assets with their content types, HEAD without a body', async () => {
    const js = await httpRequest(port, '/assets/app.js')
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.text).toBe('console.log(1)')
    expect((await httpRequest(port, '/assets/app.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    )
    const head = await httpRequest(port, '/index.html', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
    expect(head.headers['content-length']).toBe('35')
  })

  it('answers 404 for missing files and directories, 405 for other methods', async () => {
    expect((await httpRequest(port, '/nope.js')).status).toBe(404)
    expect((await httpRequest(port, '/assets')).status).toBe(404)
    const post = await httpRequest(port, '/', { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
  })

  it('never serves a file outside the renderer directory', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/../../secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      `/${encodeURIComponent(join(dir, 'secret.txt'))}`,
      '/leak.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const res = await httpRequest(port, path)
      expect([400, 404], path).toContain(res.status)
      expect(res.text).not.toContain('top secret')
    }
  })

  it('says the panel is not built when the directory is missing', async () => {
    await server.close()
    await startServer({ staticDir: join(dir, 'not-built') })
    const res = await httpRequest(port, '/')
    expect(res.status).toBe(404)
    expect(res.json()).toEqual({ error: expect.stringContaining('npm run build') })
  })
})

describe('DiagnosticsServer snapshot', () => {
  it('returns the diagnostics snapshot as JSON, never cached', async () => {
    source.current = sampleSnapshot({ pending: 7, state: 'stopped', hostPid: null })
    const res = await httpRequest(port, '/api/snapshot', { headers: auth })
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.json()).toEqual({ ...source.current, actions: DIAGNOSTICS_ACTIONS })
  })

  it('allows only GET on it', async () => {
    const res = await httpRequest(port, '/api/snapshot', { method: 'POST', headers: auth })
    expect(res.status).toBe(405)
    expect(res.headers.allow).toBe('GET')
  })

  it('answers 404 for an unknown API route', async () => {
    expect((await httpRequest(port, '/api/nope', { headers: auth })).status).toBe(404)
  })
})

describe('DiagnosticsServer event stream', () => {
  it('streams the current snapshot, each new one and each launcher event', async () => {
    const sse = await openSse(port, `/api/events?token=${TOKEN}`)
    expect(sse.status).toBe(200)
    expect(sse.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    const first = await sse.next((m) => m.event === 'snapshot')
    expect(JSON.parse(first.data)).toEqual({ ...source.current, actions: DIAGNOSTICS_ACTIONS })

    await until(() => source.listeners.size === 1 && eventListeners.size === 1)
    source.publish(sampleSnapshot({ pending: 3 }))
    const second = await sse.next((m) => m.event === 'snapshot', 1)
    expect(JSON.parse(second.data).pending).toBe(3)

    const e: Event = { event: 'saga_failed', saga_id: 3, reason: 'host unreachable', version: 57 }
    for (const fn of eventListeners) fn(e)
    const ev = await sse.next((m) => m.event === 'event')
    expect(JSON.parse(ev.data)).toEqual(e)
    sse.close()
  })

  it('accepts the Bearer header too, and refuses a wrong token before streaming', async () => {
    const ok = await openSse(port, '/api/events', auth)
    expect(ok.status).toBe(200)
    ok.close()
    const bad = await openSse(port, '/api/events?token=wrong')
    expect(bad.status).toBe(401)
  })

  it('sends heartbeat comments while nothing happens', async () => {
    await server.close()
    await startServer({ heartbeatMs: 20 })
    const sse = await openSse(port, `/api/events?token=${TOKEN}`)
    await until(() => sse.comments.includes('heartbeat'))
    sse.close()
  })

  it('unsubscribes when the client goes away', async () => {
    const sse = await openSse(port, `/api/events?token=${TOKEN}`)
    await until(() => source.listeners.size === 1)
    sse.close()
    await until(() => source.listeners.size === 0 && eventListeners.size === 0)
  })

  it('ends open streams when the server closes', async () => {
    const sse = await openSse(port, `/api/events?token=${TOKEN}`)
    await until(() => source.listeners.size === 1)
    await server.close()
    expect(source.listeners.size).toBe(0)
    expect(eventListeners.size).toBe(0)
    sse.close()
  })
})

describe('DiagnosticsServer actions', () => {
  const post = (action: string, body?: string, headers: Record<string, string> = {}) =>
    httpRequest(port, `/api/actions/${action}`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', ...headers },
      body,
    })

  it('runs each action and answers 202 with its JSON result', async () => {
    for (const action of ['kill-host', 'stop-host', 'start-host']) {
      const res = await post(action)
      expect(res.status).toBe(202)
      expect(res.json()).toEqual({ ok: true, action, detail: 'done' })
    }
    const burst = await post('burst', JSON.stringify({ count: 100 }))
    expect(burst.status).toBe(202)
    expect(source.acts).toEqual([
      { action: 'kill-host', body: {} },
      { action: 'stop-host', body: {} },
      { action: 'start-host', body: {} },
      { action: 'burst', body: { count: 100 } },
    ])
  })

  it('refuses a burst count that is not an integer from 1 to MAX_BURST', async () => {
    for (const body of [
      '{}',
      '{"count":0}',
      '{"count":1.5}',
      '{"count":"10"}',
      `{"count":${MAX_BURST + 1}}`,
      '',
    ]) {
      const res = await post('burst', body)
      expect(res.status, body).toBe(400)
      expect(res.json()).toEqual({ error: expect.stringContaining('count must be an integer') })
    }
    expect(source.acts).toEqual([])
  })

  it('refuses bad JSON and bodies that are not objects', async () => {
    expect((await post('kill-host', '{nope')).json()).toEqual({ error: 'body is not valid JSON' })
    expect((await post('burst', '[1]')).status).toBe(400)
    expect((await post('burst', 'null')).status).toBe(400)
    expect(source.acts).toEqual([])
  })

  it('passes a kill-host slot on, and takes no body or {} as slot 0', async () => {
    expect((await post('kill-host', '{"slot":2}')).status).toBe(202)
    expect((await post('kill-host', '{}')).status).toBe(202)
    expect((await post('kill-host')).status).toBe(202)
    expect(source.acts).toEqual([
      { action: 'kill-host', body: { slot: 2 } },
      { action: 'kill-host', body: {} },
      { action: 'kill-host', body: {} },
    ])
  })

  it('refuses a kill-host slot that is not a non-negative integer with 400, killing nothing', async () => {
    for (const [body, got] of [
      ['{"slot":-1}', '-1'],
      ['{"slot":1.5}', '1.5'],
      ['{"slot":"1"}', '"1"'],
      ['{"slot":null}', 'null'],
      ['{"slot":[0]}', 'an array'],
    ]) {
      const res = await post('kill-host', body)
      expect(res.status, body).toBe(400)
      expect(res.json()).toEqual({ error: `slot must be a non-negative integer, got ${got}` })
    }
    expect((await post('kill-host', 'slot=1')).json()).toEqual({ error: 'body is not valid JSON' })
    expect(source.acts).toEqual([])
  })

  it('answers 404 naming the slot when the launcher has no host in it', async () => {
    source.answer = { ok: false, code: 'NO_SUCH_HOST', error: 'no host in slot 5' }
    const res = await post('kill-host', '{"slot":5}')
    expect(res.status).toBe(404)
    expect(res.json()).toEqual({ error: 'no host in slot 5' })
  })

  it('answers 400 when the launcher finds the body bad', async () => {
    source.answer = { ok: false, code: 'BAD_REQUEST', error: 'count must be an integer' }
    expect((await post('burst', '{"count":1}')).status).toBe(400)
  })

  it('answers 404 for an unknown action and 405 for a GET', async () => {
    const unknown = await post('reboot')
    expect(unknown.status).toBe(404)
    expect(unknown.json()).toEqual({ error: expect.stringContaining('unknown action "reboot"') })
    const get = await httpRequest(port, '/api/actions/kill-host', { headers: auth })
    expect(get.status).toBe(405)
    expect(get.headers.allow).toBe('POST')
    expect(source.acts).toEqual([])
  })

  it('refuses a body over the size limit with 413', async () => {
    const res = await post('burst', JSON.stringify({ count: 1, pad: 'x'.repeat(20_000) }))
    expect(res.status).toBe(413)
    expect(source.acts).toEqual([])
  })

  it('refuses an oversized body even without a Content-Length', async () => {
    await server.close()
    await startServer({ maxBodyBytes: 64 })
    const res = await post('burst', JSON.stringify({ count: 1, pad: 'x'.repeat(500) }), {
      'Transfer-Encoding': 'chunked',
    })
    expect(res.status).toBe(413)
  })

  it('answers 409 with the error when the launcher refuses the action', async () => {
    source.answer = { ok: false, error: 'no host process is running' }
    const res = await post('kill-host')
    expect(res.status).toBe(409)
    expect(res.json()).toEqual({ error: 'no host process is running' })
  })
})

describe('DiagnosticsServer allowed actions', () => {
  const post = (action: string, body?: string) =>
    httpRequest(port, `/api/actions/${action}`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body,
    })

  it('allows no action by default: each answers 403 naming the action and the option', async () => {
    await server.close()
    await startServer({ actions: undefined })
    for (const action of DIAGNOSTICS_ACTIONS) {
      const res = await post(action, action === 'burst' ? '{"count":1}' : undefined)
      expect(res.status, action).toBe(403)
      const { error } = res.json() as { error: string }
      expect(error).toContain(action)
      expect(error).toContain(`startDiagnosticsServer(launcher, { actions: ['${action}'] })`)
    }
    expect(source.acts).toEqual([])
  })

  it('tells the panel which actions it allows, in every snapshot', async () => {
    await server.close()
    await startServer({ actions: undefined })
    expect((await httpRequest(port, '/api/snapshot', { headers: auth })).json()).toMatchObject({
      actions: [],
    })
    await server.close()
    await startServer({ actions: ['burst', 'kill-host'] })
    expect((await httpRequest(port, '/api/snapshot', { headers: auth })).json()).toMatchObject({
      actions: ['kill-host', 'burst'],
    })
    const sse = await openSse(port, `/api/events?token=${TOKEN}`)
    const first = await sse.next((m) => m.event === 'snapshot')
    expect(JSON.parse(first.data).actions).toEqual(['kill-host', 'burst'])
    sse.close()
  })

  it('runs the allowed actions and refuses the others with 403', async () => {
    await server.close()
    await startServer({ actions: ['kill-host', 'burst'] })
    expect((await post('kill-host')).status).toBe(202)
    expect((await post('burst', '{"count":3}')).status).toBe(202)
    expect((await post('stop-host')).status).toBe(403)
    expect((await post('start-host')).status).toBe(403)
    expect(source.acts.map((a) => a.action)).toEqual(['kill-host', 'burst'])
  })

  it('refuses an actions option that is not a list of panel actions, naming the value', () => {
    expect(() => new DiagnosticsServer({ source, token: TOKEN, actions: ['reboot' as never] })).toThrow(
      /actions lists "reboot"/,
    )
    expect(
      () => new DiagnosticsServer({ source, token: TOKEN, actions: 'burst' as unknown as never[] }),
    ).toThrow(/actions must be an array/)
  })
})

describe('DiagnosticsServer after the launcher stops', () => {
  it('ends the event streams and answers 503 saying the launcher has stopped', async () => {
    const sse = await openSse(port, `/api/events?token=${TOKEN}`)
    await until(() => source.listeners.size === 1)
    source.end()
    await until(() => source.listeners.size === 0 && eventListeners.size === 0)
    const res = await httpRequest(port, '/api/snapshot', { headers: auth })
    expect(res.status).toBe(503)
    expect(res.json()).toEqual({ error: expect.stringContaining('the launcher has stopped') })
    expect((await openSse(port, `/api/events?token=${TOKEN}`)).status).toBe(503)
    sse.close()
  })
})
