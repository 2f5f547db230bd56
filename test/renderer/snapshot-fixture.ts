import { COUNTER_NAMES, type DiagnosticsSnapshot, type HostPipeCounters } from '../../src/shared/diagnostics'

/** A plausible snapshot; override what a test is about. */
export function snapshotFixture(over: Partial<DiagnosticsSnapshot> = {}): DiagnosticsSnapshot {
  return {
    connected: true,
    sessionId: 1,
    pending: 0,
    capacity: 64,
    inFlight: 0,
    disconnectedAt: null,
    expiresAt: null,
    counters: Object.fromEntries(COUNTER_NAMES.map((name) => [name, 0])) as unknown as HostPipeCounters,
    state: 'connected',
    hostPid: 100,
    hosts: [{ slot: 0, pid: 100, state: 'connected', inFlight: 0, restarts: 0 }],
    restarts: 0,
    standby: 0,
    standbyPids: [],
    failovers: 0,
    transport: 'pipe',
    socketPath: '/tmp/hostpipe/sock',
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
