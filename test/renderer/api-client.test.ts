import { describe, expect, it } from 'vitest'
import {
  actionResultFrom,
  API_PATHS,
  apiUrl,
  authHeaders,
  reconnectDelayMs,
  tokenFromSearch,
  UNAUTHORIZED_MESSAGE,
} from '../../src/renderer/api-client'

describe('the HTTP API client', () => {
  it('reads the token from the page URL', () => {
    expect(tokenFromSearch('?token=abc123')).toBe('abc123')
    expect(tokenFromSearch('?x=1&token=a%2Bb')).toBe('a+b')
    expect(tokenFromSearch('')).toBe('')
    expect(tokenFromSearch('?token=')).toBe('')
  })

  it('builds API URLs on the page’s origin, whatever page path it was served at', () => {
    expect(apiUrl('http://127.0.0.1:8080', API_PATHS.snapshot)).toBe('http://127.0.0.1:8080/api/snapshot')
    expect(apiUrl('http://127.0.0.1:8080', API_PATHS.action('kill-host'))).toBe(
      'http://127.0.0.1:8080/api/actions/kill-host',
    )
  })

  it('puts the token in the query only when asked (for EventSource), encoded', () => {
    expect(apiUrl('http://127.0.0.1:1', API_PATHS.events, 'a b&c')).toBe(
      'http://127.0.0.1:1/api/events?token=a+b%26c',
    )
    expect(apiUrl('http://127.0.0.1:1', API_PATHS.events, '')).toBe('http://127.0.0.1:1/api/events')
  })

  it('sends the token as a bearer token, and no Authorization header without one', () => {
    expect(authHeaders('t0k')).toEqual({ Accept: 'application/json', Authorization: 'Bearer t0k' })
    expect(authHeaders('')).toEqual({ Accept: 'application/json' })
    expect(authHeaders('t', true)['Content-Type']).toBe('application/json')
  })

  it('reads a 202 as accepted and a 4xx as its error', () => {
    expect(actionResultFrom('burst', 202, { ok: true, action: 'burst', detail: '100 sagas' })).toEqual({
      ok: true,
      action: 'burst',
      detail: '100 sagas',
    })
    expect(actionResultFrom('stop-host', 202, undefined)).toEqual({ ok: true, action: 'stop-host' })
    expect(actionResultFrom('burst', 400, { error: 'count must be an integer' })).toEqual({
      ok: false,
      error: 'count must be an integer',
    })
    expect(actionResultFrom('kill-host', 503, 'nope')).toEqual({ ok: false, error: 'HTTP 503' })
  })

  it('backs off reconnects from 250 ms to at most 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(reconnectDelayMs)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000])
  })

  it('spells the unauthorized message exactly', () => {
    expect(UNAUTHORIZED_MESSAGE).toBe("Unauthorized: this link's token is wrong or missing")
  })
})
