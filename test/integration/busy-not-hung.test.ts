// Busy is not hung (docs/launcher.md#busy-is-not-hung) with real processes: a host whose handler
// blocks its main thread for longer than --unresponsive-ms completes on the same host, while a
// stopped host and a host past its deadline are still replaced.
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SagaFailedError } from '../../src/lib/index'
import { createLauncher, type HostpipeLauncher } from '../../src/lib/node'
import { NodeHostSpawner } from '../../src/main/headless/node-host-spawner'
import { createLauncher as createDemoLauncher } from '../../src/main/launcher/launcher'
import { busyCommands } from '../fixtures/busy/commands'
import { buildBusyHost, linesLogger } from '../support/busy-host'
import { HOST_SCRIPT, requireBuiltHost } from '../support/ipc-launcher-harness'
import { waitFor } from '../support/ipc-wait'

let hostEntry = ''
let launcher: HostpipeLauncher<typeof busyCommands> | undefined
let stopped: number | undefined
const logLines: string[] = []
const log = linesLogger(logLines)

beforeAll(async () => {
  hostEntry = await buildBusyHost('busy-host')
})

afterEach(async () => {
  if (stopped !== undefined) {
    try {
      process.kill(stopped, 'SIGCONT')
    } catch {
      // Killed by the launcher already.
    }
  }
  stopped = undefined
  await launcher?.stop()
  launcher = undefined
  logLines.length = 0
})

async function start(
  transport: 'pipe' | 'port',
  unresponsiveMs?: number,
): Promise<HostpipeLauncher<typeof busyCommands>> {
  launcher = createLauncher({ hostEntry, commands: busyCommands, transport, unresponsiveMs, log })
  await launcher.start()
  return launcher
}

describe.each(['pipe', 'port'] as const)('busy is not hung over the %s transport', (transport) => {
  it('a handler that blocks its main thread for 7 s completes on the same host, which reads busy meanwhile', async () => {
    const l = await start(transport)
    const pid = l.diagnostics().hostPid
    const states = hostStates(l)
    const out = await l.call('spin', { ms: 7000 }, { timeoutMs: 20_000 })
    expect(out.pid).toBe(pid)
    expect(l.diagnostics()).toMatchObject({ hostPid: pid, restarts: 0, state: 'connected' })
    // Busy shows per host only: the top-level state keeps the pipe-state meaning.
    expect(states).toContainEqual({ top: 'connected', host: 'busy' })
    expect(states.map((x) => x.top)).not.toContain('busy')
    await waitFor(() => l.diagnostics().hosts[0]!.state === 'connected', 'the host no longer busy', 5000, 10)
    expect(logLines.some((line) => line.includes('busy, not hung'))).toBe(true)
    expect(logLines.filter((line) => line.includes('unresponsive'))).toEqual([])
  })
})

/** Slot 0's state in each published feed snapshot from now on, and the top-level state beside it. */
function hostStates(l: HostpipeLauncher<typeof busyCommands>): Array<{ top: string; host: string }> {
  const states: Array<{ top: string; host: string }> = []
  l.onDiagnostics((s) => states.push({ top: s.state, host: s.hosts[0]!.state }))
  return states
}

describe('busy with a short --unresponsive-ms', () => {
  it('a 3 s synchronous handler under a 1 s unresponsiveMs completes on the same host, read busy, not replaced', async () => {
    const l = await start('pipe', 1000)
    const pid = l.diagnostics().hostPid
    const states = hostStates(l)
    const out = await l.call('spin', { ms: 3000 }, { timeoutMs: 20_000 })
    expect(out.pid).toBe(pid)
    // Busy shows per host only: the top-level state keeps the pipe-state meaning.
    expect(states).toContainEqual({ top: 'connected', host: 'busy' })
    expect(states.map((x) => x.top)).not.toContain('busy')
    expect(l.diagnostics()).toMatchObject({ hostPid: pid, restarts: 0, failovers: 0 })
    expect(
      l
        .diagnostics()
        .events.some(
          (e) =>
            e.message === `host pid ${pid} busy: its main thread is blocked, its liveness worker answers`,
        ),
    ).toBe(true)
  })
})

describe('hung is still hung', () => {
  it('a stopped host is replaced within --unresponsive-ms plus a probe interval', async () => {
    const l = await start('pipe', 1000)
    const pid = l.diagnostics().hostPid!
    process.kill(pid, 'SIGSTOP')
    stopped = pid
    const stoppedAt = performance.now()
    const call = l.call('spin', { ms: 0 }, { timeoutMs: 20_000 }).catch((e: unknown) => e)
    await waitFor(
      () => {
        const s = l.diagnostics()
        return s.state === 'connected' && s.hostPid !== pid
      },
      'a new host in place of the stopped one',
      10_000,
      10,
    )
    expect(performance.now() - stoppedAt).toBeLessThan(1000 + 500 + 500)
    const err = await call
    expect(err).toBeInstanceOf(SagaFailedError)
    expect((err as SagaFailedError).reason).toMatch(/^host disconnected before ack/)
    expect(logLines.some((line) => line.includes(`host pid ${pid} unresponsive for 1000 ms`))).toBe(true)
  })

  it('a busy host still running 1 s past its deadline is replaced', async () => {
    const l = await start('pipe', 1000)
    const pid = l.diagnostics().hostPid!
    const failures: string[] = []
    l.onEvent((e) => {
      if (e.event === 'saga_failed') failures.push(e.reason)
    })
    const startedAt = performance.now()
    // The caller stops waiting at its timeout; the saga's truth comes from the host's loss.
    const err = await l.call('spin', { ms: 3000 }, { timeoutMs: 500 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'TimeoutError' })
    await waitFor(() => l.diagnostics().hostPid !== pid, 'a new host', 10_000, 10)
    expect(performance.now() - startedAt).toBeLessThan(500 + 1000 + 1000)
    await waitFor(() => failures.length === 1, 'the saga to fail', 5000, 10)
    expect(failures[0]).toMatch(/^host disconnected before ack/)
    expect(logLines.some((line) => line.includes('past its deadline'))).toBe(true)
  })
})

describe('the liveness worker', () => {
  const registration = (lines: string[]): string =>
    lines.find((line) => line.includes('host registered:')) ?? 'no registration logged'

  it('runs in a host of app commands, which announces it at register', async () => {
    await start('pipe')
    expect(registration(logLines)).toMatch(/features \S*liveness_worker/)
  })

  it('does not run in a host of the AgentMux commands alone (the demo host), which never blocks', async () => {
    requireBuiltHost()
    const lines: string[] = []
    const demo = createDemoLauncher({
      spawner: new NodeHostSpawner({ hostScript: HOST_SCRIPT }),
      log: linesLogger(lines),
      standby: 0,
    })
    try {
      await demo.start()
      expect(registration(lines)).toMatch(/features ack,/)
      expect(registration(lines)).not.toContain('liveness_worker')
    } finally {
      await demo.dispose()
    }
  })
})
