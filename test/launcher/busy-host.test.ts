import { describe, expect, it } from 'vitest'
import { LivenessMonitor, type UnresponsiveVerdict } from '../../src/main/launcher/liveness-monitor'
import { MemoryWriter } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

const N = 1000
/** How often a liveness worker reports while its host's main thread is blocked (N/5). */
const REPORT_EVERY = N / 5

/** A HostPipe with a connected acking host, a monitor on the same manual clock, and its busy changes. */
async function makeRig(opts: { overdue?: () => number | undefined } = {}) {
  const { pipe, clock } = makePipe()
  const verdicts: UnresponsiveVerdict[] = []
  const monitor = new LivenessMonitor({
    unresponsiveMs: N,
    pipe,
    clock,
    oldestOverdueDeadline: opts.overdue,
    onUnresponsive: (v) => verdicts.push(v),
  })
  const busyChanges: boolean[] = []
  monitor.onDidChangeBusy((b) => busyChanges.push(b))
  await pipe.setWriter(new MemoryWriter(), { acks: true })
  /** What the launcher does with a `report_main_thread` frame: a frame, then its report. */
  const workerReports = (blockedMs: number): void => {
    monitor.noteHostFrame()
    monitor.noteMainThreadReport(blockedMs)
  }
  /** The main thread blocks for `ms`; its worker reports every REPORT_EVERY ms meanwhile. */
  const blockFor = (ms: number): void => {
    for (let blocked = REPORT_EVERY; blocked <= ms; blocked += REPORT_EVERY) {
      clock.advance(REPORT_EVERY)
      workerReports(blocked)
    }
  }
  return { pipe, clock, monitor, verdicts, busyChanges, workerReports, blockFor }
}

describe('LivenessMonitor with a liveness worker (busy is not hung)', () => {
  it('keeps a host whose worker reports its main thread blocked, and reads it busy from N ms on', async () => {
    const { pipe, clock, monitor, verdicts, workerReports } = await makeRig()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    for (let blocked = REPORT_EVERY; blocked <= 7 * N; blocked += REPORT_EVERY) {
      clock.advance(REPORT_EVERY)
      workerReports(blocked)
      expect(monitor.isBusy).toBe(blocked >= N)
    }
    expect(verdicts).toEqual([])
  })

  it('reads the host busy no more once its worker says the main thread turns again', async () => {
    const { pipe, monitor, verdicts, busyChanges, workerReports, blockFor } = await makeRig()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    blockFor(2 * N)
    expect(monitor.isBusy).toBe(true)
    workerReports(0)
    expect(monitor.isBusy).toBe(false)
    expect(busyChanges).toEqual([true, false])
    expect(verdicts).toEqual([])
  })

  it('still judges a host that falls silent unresponsive, busy or not (a stopped process)', async () => {
    const { pipe, clock, monitor, verdicts, busyChanges, blockFor } = await makeRig()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    blockFor(N)
    expect(monitor.isBusy).toBe(true)
    clock.advance(N - 1)
    expect(verdicts).toEqual([])
    clock.advance(1)
    expect(verdicts).toEqual([{ why: 'silent', forMs: N }])
    // The unresponsive host is killed: once it is gone it is busy no more.
    pipe.clearWriter()
    expect(monitor.isBusy).toBe(false)
    expect(busyChanges).toEqual([true, false])
  })

  it('judges a busy host unresponsive when its command is still running N ms past its deadline', async () => {
    const overdue: { at?: number } = {}
    const { pipe, clock, monitor, verdicts, workerReports } = await makeRig({ overdue: () => overdue.at })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    overdue.at = clock.now() + N
    let blocked = 0
    while (verdicts.length === 0 && blocked < 10 * N) {
      clock.advance(REPORT_EVERY)
      blocked += REPORT_EVERY
      workerReports(blocked)
    }
    expect(monitor.isBusy).toBe(true)
    expect(verdicts).toEqual([{ why: 'overdue', forMs: expect.any(Number) as number }])
    expect(blocked).toBeGreaterThanOrEqual(2 * N)
    expect(blocked).toBeLessThanOrEqual(2 * N + N / 2)
  })

  it('starts a new host session not busy', async () => {
    const { pipe, monitor, verdicts, blockFor } = await makeRig()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    blockFor(N)
    expect(monitor.isBusy).toBe(true)
    expect(verdicts).toEqual([])
    await pipe.setWriter(new MemoryWriter(), { acks: true })
    expect(monitor.isBusy).toBe(false)
  })

  it('ignores worker reports with --unresponsive-ms 0', () => {
    const { pipe } = makePipe()
    const monitor = new LivenessMonitor({ unresponsiveMs: 0, pipe, onUnresponsive: () => undefined })
    monitor.noteMainThreadReport(60_000)
    expect(monitor.isBusy).toBe(false)
  })
})
