// ARCHITECTURE §8 with real processes: a slow host, a frozen host, a frozen-then-resumed host and
// a deaf host each end every saga with an outcome that matches what the hosts recorded
// (HOSTPIPE_RECORD), on both transports.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger, type Logger } from '../../src/main/base/logger'
import { NodeHostSpawner } from '../../src/main/headless/node-host-spawner'
import type { HostProcess, HostSpawner, SpawnHostOptions } from '../../src/main/launcher/host-spawner'
import { createLauncher, type Launcher } from '../../src/main/launcher/launcher'
import type { DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import type { Event } from '../../src/shared/protocol'
import { startHeadless, type HeadlessLauncher } from '../support/headless-launcher'
import { HOST_SCRIPT, requireBuiltHost } from '../support/ipc-launcher-harness'
import { waitFor } from '../support/ipc-wait'
import { outcomeViolations, readCompletions, type SagaOutcome } from '../support/record-oracle'
import { subscribeSse, type SseClient } from '../support/sse-client'

const TRANSPORTS = ['pipe', 'port'] as const

let launcher: HeadlessLauncher | undefined
let sse: SseClient | undefined
let recordDir: string | undefined
const frozen: number[] = []

afterEach(async () => {
  for (const pid of frozen.splice(0)) {
    try {
      process.kill(pid, 'SIGCONT')
    } catch {
      // Gone already.
    }
  }
  sse?.close()
  sse = undefined
  await launcher?.stop()
  launcher = undefined
  if (recordDir) await rm(recordDir, { recursive: true, force: true })
  recordDir = undefined
})

/** A headless launcher whose hosts all append to one record file. */
async function start(args: string[]): Promise<{ l: HeadlessLauncher; recordPath: string }> {
  recordDir = await mkdtemp(join(tmpdir(), 'hostpipe-truth-'))
  const recordPath = join(recordDir, 'completed.txt')
  launcher = await startHeadless(args, { HOSTPIPE_RECORD: recordPath })
  sse = await subscribeSse(launcher.origin, launcher.token)
  return { l: launcher, recordPath }
}

async function api(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${launcher!.origin}${path}`, {
    method: body === undefined && path.endsWith('snapshot') ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${launcher!.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  expect(res.status).toBeLessThan(300)
  return res.json()
}
const snapshot = async (): Promise<DiagnosticsSnapshot> => (await api('/api/snapshot')) as DiagnosticsSnapshot

/** Each saga's outcome from the event stream; throws when one has more than one terminal. */
function outcomesOf(events: ReadonlyArray<Record<string, unknown>>): Map<number, SagaOutcome> {
  const out = new Map<number, SagaOutcome>()
  for (const e of events) {
    if (e.event !== 'saga_completed' && e.event !== 'saga_failed') continue
    const id = e.saga_id as number
    if (out.has(id)) throw new Error(`saga ${id} ended twice`)
    out.set(id, e.event === 'saga_completed' ? 'completed' : `failed: ${String(e.reason)}`)
  }
  return out
}

async function allEnded(count: number, timeoutMs = 20_000): Promise<DiagnosticsSnapshot> {
  await waitFor(() => outcomesOf(sse!.events).size === count, `${count} terminal events`, timeoutMs, 20)
  const s = await snapshot()
  expect(s.sagas.inFlight).toBe(0)
  return s
}

const tally = (outcomes: Map<number, SagaOutcome>): Record<string, number> => {
  const t: Record<string, number> = {}
  for (const o of outcomes.values()) t[o] = (t[o] ?? 0) + 1
  return t
}

describe.each(TRANSPORTS)('truthful outcomes over the %s transport', (transport) => {
  it('a slow host: sagas past their deadline fail and are never executed; the rest complete once', async () => {
    const { recordPath } = await start([
      '--transport',
      transport,
      '--host-delay-ms',
      '4',
      '--saga-timeout-ms',
      '1000',
    ])
    await api('/api/actions/burst', { count: 800 })
    const end = await allEnded(800)
    const outcomes = outcomesOf(sse!.events)
    const counts = tally(outcomes)
    console.log(`[slow host, ${transport}] ${JSON.stringify(counts)}`)
    expect(counts.completed).toBeGreaterThan(0)
    expect(counts['failed: deadline exceeded']).toBeGreaterThan(0)
    expect(Object.keys(counts).sort()).toEqual(['completed', 'failed: deadline exceeded'])
    expect(outcomeViolations(outcomes, await readCompletions(recordPath))).toEqual([])
    expect(end.sagas.lateReports).toBe(0)
    expect(end.restarts).toBe(0)
  })

  it('a frozen host is replaced within --unresponsive-ms + 1 s; none of its sagas was executed', async () => {
    const { recordPath } = await start(['--transport', transport, '--unresponsive-ms', '600'])
    const before = await snapshot()
    const pid = before.hostPid!
    process.kill(pid, 'SIGSTOP')
    frozen.push(pid)
    const burstAt = performance.now()
    await api('/api/actions/burst', { count: 20 })
    let sawUnresponsiveAt: number | undefined
    await waitFor(
      async () => {
        const s = await snapshot()
        if (s.state === 'unresponsive') sawUnresponsiveAt ??= performance.now()
        return s.state === 'connected' && s.hostPid !== pid
      },
      'a new host to replace the frozen one',
      10_000,
      20,
    )
    const replacedMs = performance.now() - burstAt
    const end = await allEnded(20)
    console.log(
      `[frozen host, ${transport}] unresponsive seen ${sawUnresponsiveAt === undefined ? '?' : Math.round(sawUnresponsiveAt - burstAt)} ms ` +
        `after the burst, replacement connected after ${Math.round(replacedMs)} ms`,
    )
    expect(replacedMs).toBeLessThan(600 + 1000)
    const outcomes = outcomesOf(sse!.events)
    expect(tally(outcomes)).toEqual({ 'failed: host disconnected before ack': 20 })
    expect(await readCompletions(recordPath)).toEqual(new Map())
    expect(outcomeViolations(outcomes, await readCompletions(recordPath))).toEqual([])
    expect(end).toMatchObject({ restarts: 1, sagas: { lateReports: 0 } })
    expect(end.events.map((e) => e.message)).toContain(`host pid ${pid} unresponsive for 600 ms; killing it`)
    // SIGKILL reaches a stopped process: it is gone once the kernel has torn down its threads
    // (the host's liveness worker is one) and its parent has reaped it.
    await waitFor(() => !isAlive(pid), `frozen host ${pid} gone after SIGKILL`, 2_000)
    await api('/api/actions/burst', { count: 10 })
    const after = await allEnded(30)
    expect(after.sagas.completed).toBe(10)
    expect(outcomeViolations(outcomesOf(sse!.events), await readCompletions(recordPath))).toEqual([])
  })

  it('a host frozen until the deadlines passed: every saga fails, none is executed after SIGCONT', async () => {
    const { recordPath } = await start([
      '--transport',
      transport,
      '--saga-timeout-ms',
      '300',
      '--unresponsive-ms',
      '4000',
    ])
    const pid = (await snapshot()).hostPid!
    process.kill(pid, 'SIGSTOP')
    frozen.push(pid)
    await api('/api/actions/burst', { count: 20 })
    // Past every deadline, well before the host would count as unresponsive.
    await new Promise((r) => setTimeout(r, 1000))
    expect(outcomesOf(sse!.events).size).toBe(0)
    process.kill(pid, 'SIGCONT')
    const end = await allEnded(20)
    const outcomes = outcomesOf(sse!.events)
    expect(tally(outcomes)).toEqual({ 'failed: deadline exceeded': 20 })
    expect(await readCompletions(recordPath)).toEqual(new Map())
    expect(end).toMatchObject({ hostPid: pid, restarts: 0, sagas: { lateReports: 0 } })
  })
})

/** The first host spawned is `firstScript`; later ones are the real host. */
class FirstHostSpawner implements HostSpawner {
  readonly spawned: HostProcess[] = []
  readonly exits: Array<{ code: number | null; signal: string | null }> = []
  private readonly first: NodeHostSpawner
  private readonly real: NodeHostSpawner

  constructor(firstScript: string, log: Logger) {
    this.first = new NodeHostSpawner({ hostScript: firstScript, log })
    this.real = new NodeHostSpawner({ hostScript: HOST_SCRIPT, log })
  }

  spawn(opts: SpawnHostOptions): HostProcess {
    const host = (this.spawned.length === 0 ? this.first : this.real).spawn(opts)
    this.spawned.push(host)
    host.onExit((info) => this.exits.push({ code: info.code, signal: info.signal }))
    return host
  }
}

describe.each(TRANSPORTS)('a deaf host over the %s transport', (transport) => {
  let inProcess: Launcher | undefined
  afterEach(async () => {
    await inProcess?.dispose()
    inProcess = undefined
  })

  it('a host that closes its connection but keeps running is killed and replaced; sagas then complete', async () => {
    requireBuiltHost()
    const spawner = new FirstHostSpawner(resolve('test/support/deaf-host.mjs'), silentLogger)
    // Standby off: this is the path without a spare (a fresh host spawned for the lost one).
    inProcess = createLauncher({ spawner, transport, log: silentLogger, standby: 0 })
    const events: Event[] = []
    inProcess.subscribeEvents((e) => events.push(e))
    const startedAt = performance.now()
    await inProcess.start()
    const feed = inProcess.diagnostics
    await waitFor(
      () => feed.snapshot().state === 'connected' && spawner.spawned.length === 2,
      'the deaf host to be replaced by a real one',
      10_000,
      10,
    )
    console.log(`[deaf host, ${transport}] replaced after ${Math.round(performance.now() - startedAt)} ms`)
    expect(spawner.exits[0]).toEqual({ code: null, signal: 'SIGKILL' })
    expect(feed.snapshot()).toMatchObject({ restarts: 1, hostPid: spawner.spawned[1]!.pid })
    expect(feed.snapshot().events.map((e) => e.message)).toContainEqual(
      expect.stringMatching(new RegExp(`^host pid ${spawner.spawned[0]!.pid} lost its connection`)),
    )
    await feed.act('burst', { count: 20 })
    await waitFor(() => feed.snapshot().sagas.inFlight === 0, 'the burst to end', 10_000, 10)
    expect(feed.snapshot().sagas).toMatchObject({ started: 20, completed: 20, failed: 0, lateReports: 0 })
  })
})

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
