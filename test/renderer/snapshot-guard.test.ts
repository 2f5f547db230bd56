import { describe, expect, it } from 'vitest'
import { isDiagnosticsSnapshot, parseSnapshotMessage } from '../../src/renderer/snapshot-guard'
import { snapshotFixture } from './snapshot-fixture'

describe('checking a snapshot from the wire', () => {
  it('accepts a whole snapshot', () => {
    expect(isDiagnosticsSnapshot(snapshotFixture())).toBe(true)
    expect(
      isDiagnosticsSnapshot(snapshotFixture({ state: 'gave-up', hostPid: null, expiresInMs: 1200 })),
    ).toBe(true)
    expect(isDiagnosticsSnapshot(snapshotFixture({ state: 'unresponsive', connected: false }))).toBe(true)
  })

  it('refuses an unknown state or missing numbers', () => {
    expect(isDiagnosticsSnapshot({ ...snapshotFixture(), state: 'exploded' })).toBe(false)
    expect(isDiagnosticsSnapshot({ ...snapshotFixture(), pending: '3' })).toBe(false)
    expect(isDiagnosticsSnapshot({ ...snapshotFixture(), counters: null })).toBe(false)
    expect(isDiagnosticsSnapshot({ ...snapshotFixture(), events: 'x' })).toBe(false)
    expect(isDiagnosticsSnapshot(null)).toBe(false)
  })

  it('parses an SSE message, and skips one that is not a snapshot', () => {
    expect(parseSnapshotMessage(JSON.stringify(snapshotFixture()))?.state).toBe('connected')
    expect(parseSnapshotMessage('{')).toBeUndefined()
    expect(parseSnapshotMessage('{"event":"saga_failed"}')).toBeUndefined()
  })
})
