import { describe, expect, it, vi } from 'vitest'
import {
  ACTION_TIMEOUT_MS,
  HttpSource,
  type EventSourceLike,
  type FetchLike,
  type ResponseLike,
} from '../../src/renderer/http-source'
import type { LinkStatus } from '../../src/renderer/panel-source'
import type { DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import { snapshotFixture } from './snapshot-fixture'

class FakeEventSource implements EventSourceLike {
  listeners = new Map<string, Array<(e: { data?: unknown }) => void>>()
  closed = false
  constructor(readonly url: string) {}
  addEventListener(type: string, fn: (e: { data?: unknown }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn])
  }
  close() {
    this.closed = true
  }
  fire(type: string, data?: unknown) {
    for (const fn of this.listeners.get(type) ?? []) fn({ data })
  }
}

const response = (status: number, body?: unknown): ResponseLike => ({
  status,
  json: async () => {
    if (body === undefined) throw new SyntaxError('no body')
    return body
  },
})

function setup(fetchImpl: FetchLike) {
  const streams: FakeEventSource[] = []
  const timers: Array<{ fn: () => void; ms: number; cleared: boolean }> = []
  const fetch = vi.fn(fetchImpl)
  const source = new HttpSource({
    origin: 'http://127.0.0.1:9000',
    token: 'tok',
    fetch,
    openEventSource: (url) => {
      const s = new FakeEventSource(url)
      streams.push(s)
      return s
    },
    setTimeout: (fn, ms) => {
      const t = { fn, ms, cleared: false }
      timers.push(t)
      return t
    },
    clearTimeout: (t) => {
      ;(t as { cleared: boolean }).cleared = true
    },
    now: () => NOW,
  })
  const snapshots: DiagnosticsSnapshot[] = []
  const statuses: LinkStatus[] = []
  const unauthorized = vi.fn()
  source.start({ snapshot: (s) => snapshots.push(s), status: (s) => statuses.push(s), unauthorized })
  const runTimers = async () => {
    for (const t of timers.splice(0)) if (!t.cleared) t.fn()
    await flush()
  }
  return { source, fetch, streams, timers, snapshots, statuses, unauthorized, runTimers }
}

const flush = () => new Promise((r) => setTimeout(r, 0))
/** The wall clock the source sees: action deadlines are NOW + 3000. */
const NOW = 1_700_000_000_000

describe('the HTTP data source', () => {
  it('loads the snapshot with the bearer token, then follows the event stream with the token in the query', async () => {
    const { fetch, streams, snapshots, statuses } = setup(async () => response(200, snapshotFixture()))
    await flush()
    expect(fetch).toHaveBeenCalledWith('http://127.0.0.1:9000/api/snapshot', {
      method: 'GET',
      headers: { Accept: 'application/json', Authorization: 'Bearer tok' },
      cache: 'no-store',
    })
    expect(snapshots).toHaveLength(1)
    expect(streams.map((s) => s.url)).toEqual(['http://127.0.0.1:9000/api/events?token=tok'])
    streams[0]!.fire('open')
    expect(statuses).toEqual(['connecting', 'live'])
  })

  it('passes on each snapshot message and skips malformed ones', async () => {
    const { streams, snapshots } = setup(async () => response(200, snapshotFixture()))
    await flush()
    streams[0]!.fire('snapshot', JSON.stringify(snapshotFixture({ pending: 7 })))
    streams[0]!.fire('snapshot', 'not json')
    streams[0]!.fire('snapshot', JSON.stringify({ state: 'nope' }))
    expect(snapshots.map((s) => s.pending)).toEqual([0, 7])
  })

  it('reconnects with a fresh snapshot when the stream drops, backing off', async () => {
    const { fetch, streams, timers, statuses, runTimers } = setup(async () =>
      response(200, snapshotFixture()),
    )
    await flush()
    streams[0]!.fire('error')
    expect(streams[0]!.closed).toBe(true)
    expect(statuses.at(-1)).toBe('reconnecting')
    expect(timers.map((t) => t.ms)).toEqual([250])
    await runTimers()
    expect(fetch).toHaveBeenCalledTimes(2)
    expect(streams).toHaveLength(2)
    streams[1]!.fire('open')
    expect(statuses.at(-1)).toBe('live')
  })

  it('keeps retrying while the server is down, each time a little later', async () => {
    let up = false
    const { timers, streams, runTimers } = setup(async () => {
      if (!up) throw new TypeError('Failed to fetch')
      return response(200, snapshotFixture())
    })
    await flush()
    const delays: number[] = []
    for (let i = 0; i < 3; i++) {
      delays.push(...timers.map((t) => t.ms))
      await runTimers()
    }
    expect(delays).toEqual([250, 500, 1000])
    up = true
    await runTimers()
    expect(streams).toHaveLength(1)
  })

  it('says the launcher is gone when the stream drops and the API no longer answers, until it does', async () => {
    let answer: 'ok' | 'down' | 'stopped' = 'ok'
    const { streams, statuses, runTimers } = setup(async () => {
      if (answer === 'down') throw new TypeError('Failed to fetch')
      if (answer === 'stopped') return response(503, { error: 'the launcher has stopped' })
      return response(200, snapshotFixture())
    })
    await flush()
    streams[0]!.fire('open')
    answer = 'stopped'
    streams[0]!.fire('error')
    await runTimers()
    expect(statuses.slice(-2)).toEqual(['reconnecting', 'gone'])
    answer = 'down'
    await runTimers()
    await runTimers()
    expect(statuses.at(-1)).toBe('gone')
    expect(statuses.filter((s) => s === 'gone')).toHaveLength(1)
    answer = 'ok'
    await runTimers()
    expect(statuses.at(-1)).toBe('reconnecting')
    streams.at(-1)!.fire('open')
    expect(statuses.at(-1)).toBe('live')
  })

  it('gives up and reports unauthorized when the API answers 401', async () => {
    const { unauthorized, streams, timers } = setup(async () => response(401, { error: 'unauthorized' }))
    await flush()
    expect(unauthorized).toHaveBeenCalledOnce()
    expect(streams).toHaveLength(0)
    expect(timers).toHaveLength(0)
  })

  it('notices a revoked token on the reconnect after the stream drops', async () => {
    let status = 200
    const { unauthorized, streams, runTimers } = setup(async () => response(status, snapshotFixture()))
    await flush()
    status = 401
    streams[0]!.fire('error')
    await runTimers()
    expect(unauthorized).toHaveBeenCalledOnce()
  })

  it('posts actions with the token, and the count as JSON for a burst', async () => {
    const { source, fetch } = setup(async (url) =>
      url.endsWith('/api/snapshot') ? response(200, snapshotFixture()) : response(202, { ok: true }),
    )
    await flush()
    await expect(source.act('burst', 100)).resolves.toEqual({ ok: true, action: 'burst' })
    expect(fetch).toHaveBeenLastCalledWith('http://127.0.0.1:9000/api/actions/burst', {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        Authorization: 'Bearer tok',
        'Content-Type': 'application/json',
        'Hostpipe-Deadline': String(NOW + ACTION_TIMEOUT_MS),
      },
      body: '{"count":100}',
      signal: expect.any(AbortSignal),
    })
    await source.act('kill-host')
    expect(fetch).toHaveBeenLastCalledWith('http://127.0.0.1:9000/api/actions/kill-host', {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        Authorization: 'Bearer tok',
        'Hostpipe-Deadline': String(NOW + ACTION_TIMEOUT_MS),
      },
      signal: expect.any(AbortSignal),
    })
  })

  it('gives an action up, visibly, when it is not answered within its deadline', async () => {
    const { source, fetch, timers } = setup(async () => response(200, snapshotFixture()))
    await flush()
    // A request the browser cannot send (no free connection) waits until it is aborted.
    fetch.mockImplementationOnce(
      (_url, init) =>
        new Promise((_resolve, reject) =>
          init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        ),
    )
    const result = source.act('kill-host')
    await flush()
    const timer = timers.find((t) => t.ms === ACTION_TIMEOUT_MS && !t.cleared)!
    timer.fn()
    await expect(result).resolves.toEqual({
      ok: false,
      error: 'no answer within 3000 ms; given up (the launcher runs no action that reaches it later)',
    })
  })

  it('reports a refused action’s error, and a network failure as one', async () => {
    const { source, fetch } = setup(async () => response(200, snapshotFixture()))
    await flush()
    fetch.mockResolvedValueOnce(response(409, { error: 'host is already stopped' }))
    await expect(source.act('stop-host')).resolves.toEqual({ ok: false, error: 'host is already stopped' })
    fetch.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    await expect(source.act('start-host')).resolves.toEqual({
      ok: false,
      error: 'network error: Failed to fetch',
    })
  })

  it('stops the stream and every retry on dispose', async () => {
    const { source, streams, timers } = setup(async () => response(200, snapshotFixture()))
    await flush()
    streams[0]!.fire('error')
    source.dispose()
    expect(timers.every((t) => t.cleared)).toBe(true)
    expect(streams[0]!.closed).toBe(true)
  })
})
