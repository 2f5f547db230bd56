import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestLauncher, type TestLauncher } from '../support/ipc-launcher-harness'
import { waitFor } from '../support/ipc-wait'

describe.each(['pipe', 'port'] as const)('launcher ↔ real host over the %s transport', (transport) => {
  let launcher: TestLauncher | undefined

  afterEach(async () => {
    await launcher?.dispose()
    launcher = undefined
  })

  it('registers, then executes saga commands in order: every one acked, reports in order', async () => {
    launcher = await startTestLauncher({ transport })
    const { pipe, reports } = launcher
    const host = launcher.spawnHost()
    const registration = await launcher.waitForRegistration(host)
    expect(registration.sessionId).toBe(1)
    const count = 300
    for (let sagaId = 1; sagaId <= count; sagaId++)
      await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: sagaId })
    await waitFor(() => pipe.snapshot().counters.acked === count, `${count} acks`)
    expect(pipe.snapshot()).toMatchObject({ inFlight: 0, pending: 0, connected: true })
    expect(pipe.snapshot().counters.ignoredAcks).toBe(0)
    await waitFor(() => reports.length === count, `${count} reports`)
    expect(reports.map((r) => r.saga_id)).toEqual(Array.from({ length: count }, (_, i) => i + 1))
    expect(reports[0]).toEqual({ cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 })
    expect(launcher.emitted.filter((e) => e.event === 'saga_failed')).toEqual([])
  })

  it('delivers commands buffered before the host registered, once it has', async () => {
    launcher = await startTestLauncher({ transport })
    const { pipe, reports } = launcher
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    await pipe.sendCommand({ cmd: 'reap_panes', label: 'w1', saga_id: 2 })
    await pipe.sendCommand({ cmd: 'drain_pool_if_last', label: 'w1', saga_id: 3 })
    expect(pipe.snapshot().pending).toBe(3)
    await launcher.waitForRegistration(launcher.spawnHost())
    await waitFor(() => reports.length === 3, 'three reports')
    expect(reports).toEqual([
      { cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 },
      { cmd: 'report_panes_reaped', label: 'w1', saga_id: 2 },
      { cmd: 'report_pool_drain_decision', label: 'w1', was_last: true, saga_id: 3 },
    ])
    await waitFor(() => pipe.snapshot().inFlight === 0, 'all acked')
  })

  it('lets a second host replace the first: new session, the first host exits', async () => {
    launcher = await startTestLauncher({ transport })
    const { pipe, reports } = launcher
    const first = launcher.spawnHost()
    await launcher.waitForRegistration(first)
    const second = launcher.spawnHost()
    const registration = await launcher.waitForRegistration(second)
    expect(registration.sessionId).toBe(2)
    await launcher.waitForExit(first)
    expect(first.exit).toMatchObject({ code: 0, crashed: false })
    expect(second.exit).toBeUndefined()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 9 })
    await waitFor(() => reports.length === 1, 'a report from the second host')
    await waitFor(() => pipe.snapshot().inFlight === 0, 'the ack from the second host')
    expect(launcher.gone).toEqual([])
  })

  it('a host exits when the launcher closes its connection', async () => {
    launcher = await startTestLauncher({ transport })
    const host = launcher.spawnHost()
    await launcher.waitForRegistration(host)
    launcher.server.dispose()
    await launcher.waitForExit(host)
    expect(host.exit).toMatchObject({ code: 0, crashed: false })
  })

  it('a host says goodbye on SIGTERM and exits cleanly', async () => {
    launcher = await startTestLauncher({ transport })
    const host = launcher.spawnHost()
    await launcher.waitForRegistration(host)
    host.process.kill('SIGTERM')
    await launcher.waitForExit(host)
    expect(host.exit).toMatchObject({ code: 0, crashed: false })
    await waitFor(() => launcher!.gone.length === 1, 'the host to be gone')
    expect(launcher.gone[0]!.reason).toBe('goodbye')
    expect(launcher.pipe.snapshot().connected).toBe(false)
  })

  it('a killed host is reported gone and its unacked sagas failed', async () => {
    launcher = await startTestLauncher({ transport })
    const host = launcher.spawnHost({ args: ['--host-delay-ms', '10000'] })
    await launcher.waitForRegistration(host)
    await launcher.pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 5 })
    host.process.kill('SIGKILL')
    await launcher.waitForExit(host)
    expect(host.exit).toMatchObject({ crashed: true, signal: 'SIGKILL' })
    await waitFor(() => launcher!.gone.length === 1, 'the host to be gone')
    expect(launcher.emitted).toContainEqual(
      expect.objectContaining({ event: 'saga_failed', saga_id: 5, reason: 'host disconnected before ack' }),
    )
  })
})

describe('host process options', () => {
  let launcher: TestLauncher | undefined
  let dir: string | undefined

  afterEach(async () => {
    await launcher?.dispose()
    launcher = undefined
    if (dir) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('records every executed seq in HOSTPIPE_RECORD, before acking it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostpipe-record-'))
    const record = join(dir, 'seqs.txt')
    launcher = await startTestLauncher({ transport: 'pipe' })
    const { pipe } = launcher
    await launcher.waitForRegistration(launcher.spawnHost({ env: { HOSTPIPE_RECORD: record } }))
    for (let i = 1; i <= 50; i++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: i })
    await waitFor(() => pipe.snapshot().counters.acked === 50, '50 acks')
    const seqs = (await readFile(record, 'utf8')).trim().split('\n').map(Number)
    expect(seqs).toHaveLength(50)
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
  })

  it('makes each command take --host-delay-ms', async () => {
    launcher = await startTestLauncher({ transport: 'pipe' })
    const { pipe } = launcher
    await launcher.waitForRegistration(launcher.spawnHost({ args: ['--host-delay-ms', '40'] }))
    const started = Date.now()
    for (let i = 1; i <= 3; i++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: i })
    await waitFor(() => pipe.snapshot().counters.acked === 3, '3 acks')
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 40 - 5)
  })

  it('exits with code 2 and says why on stderr when its config is wrong', async () => {
    launcher = await startTestLauncher({ transport: 'pipe' })
    const host = launcher.spawnHost({ args: ['--host-delay-ms', 'soon'] })
    await launcher.waitForExit(host)
    expect(host.exit).toMatchObject({ code: 2, crashed: true })
    await waitFor(
      () => launcher!.logLines.some((l) => l.includes('--host-delay-ms must be')),
      'the stderr line',
    )
  })

  it('exits with code 1 when the launcher socket cannot be reached', async () => {
    launcher = await startTestLauncher({ transport: 'pipe' })
    const host = launcher.spawnHost({ socketPath: launcher.socketServer!.path + '.missing' })
    await launcher.waitForExit(host)
    expect(host.exit).toMatchObject({ code: 1, crashed: true })
  })
})
