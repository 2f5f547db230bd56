import { describe, expect, it } from 'vitest'
import { LivenessMonitor, type UnresponsiveVerdict } from '../../src/main/launcher/liveness-monitor'
import { MemoryWriter, settle } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

const N = 1000

/** A HostPipe with a connected acking host and a monitor on the same manual clock. */
async function makeRig(opts: { overdue?: () => number | undefined; unresponsiveMs?: number } = {}) {
  const { pipe, clock } = makePipe()
  const writer = new MemoryWriter()
  const verdicts: UnresponsiveVerdict[] = []
  const monitor = new LivenessMonitor({
    unresponsiveMs: opts.unresponsiveMs ?? N,
    pipe,
    clock,
    oldestOverdueDeadline: opts.overdue,
    onUnresponsive: (v) => verdicts.push(v),
  })
  await pipe.setWriter(writer, { acks: true })
  const probes = (): number[] =>
    writer
      .parsed()
      .filter((f) => f.cmd === 'probe_ui_thread')
      .map((f) => f.nonce as number)
  return { pipe, clock, writer, monitor, verdicts, probes }
}

describe('LivenessMonitor (ARCHITECTURE §8)', () => {
  it('never probes an idle host, however long it stays silent', async () => {
    const { clock, verdicts, probes } = await makeRig()
    clock.advance(10 * N)
    await settle()
    expect(probes()).toEqual([])
    expect(verdicts).toEqual([])
    expect(clock.pendingTimers).toBe(0)
  })

  it('probes a silent host at N/2 with work outstanding, outside the command sequence', async () => {
    const { pipe, clock, writer, probes, verdicts } = await makeRig()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    clock.advance(N / 2 - 1)
    await settle()
    expect(probes()).toEqual([])
    clock.advance(1)
    await settle()
    expect(probes()).toEqual([1])
    expect(writer.lines.at(-1)).toBe('{"kind":"command","cmd":"probe_ui_thread","nonce":1}')
    expect(pipe.snapshot().counters.sent).toBe(1)
    expect(verdicts).toEqual([])
  })

  it('judges a host that sends nothing for N ms unresponsive, once', async () => {
    const { pipe, clock, verdicts } = await makeRig()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    clock.advance(N - 1)
    expect(verdicts).toEqual([])
    clock.advance(1)
    expect(verdicts).toEqual([{ why: 'silent', forMs: N }])
    clock.advance(5 * N)
    expect(verdicts).toHaveLength(1)
  })

  it('counts any frame from the host as life: a host that answers its probe is never judged', async () => {
    const { pipe, clock, monitor, verdicts, probes } = await makeRig()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    for (let i = 0; i < 10; i++) {
      clock.advance(N / 2)
      await settle()
      monitor.noteHostFrame()
    }
    expect(verdicts).toEqual([])
    expect(probes().length).toBeGreaterThanOrEqual(5)
  })

  it('measures silence from when work became outstanding, not from the last frame long before', async () => {
    const { pipe, clock, verdicts } = await makeRig()
    clock.advance(10 * N)
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    clock.advance(N - 1)
    expect(verdicts).toEqual([])
    clock.advance(1)
    expect(verdicts).toHaveLength(1)
  })

  it('stops when the work is done (acked) and when the host goes away', async () => {
    const { pipe, clock, monitor, verdicts } = await makeRig()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    clock.advance(N / 4)
    monitor.noteHostFrame()
    pipe.ack(1)
    clock.advance(10 * N)
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    pipe.clearWriter()
    clock.advance(10 * N)
    expect(verdicts).toEqual([])
    // HostPipe's own 30 s budget is the only timer left.
    pipe.dispose()
    expect(clock.pendingTimers).toBe(0)
  })

  it('judges a host holding a command N ms past its deadline unresponsive, even while it talks', async () => {
    const overdue: { at?: number } = {}
    const { pipe, clock, monitor, verdicts } = await makeRig({ overdue: () => overdue.at })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    overdue.at = clock.now() + 200
    for (let t = 0; t < 200 + N - 100; t += 100) {
      clock.advance(100)
      monitor.noteHostFrame()
    }
    expect(verdicts).toEqual([])
    clock.advance(N / 2)
    expect(verdicts).toEqual([{ why: 'overdue', forMs: expect.any(Number) as number }])
    expect(verdicts[0]!.forMs).toBeGreaterThanOrEqual(N)
    expect(verdicts[0]!.forMs).toBeLessThanOrEqual(N + N / 2)
  })

  it('starts afresh with a new host session', async () => {
    const { pipe, clock, verdicts } = await makeRig()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    clock.advance(N)
    expect(verdicts).toHaveLength(1)
    await pipe.setWriter(new MemoryWriter(), { acks: true })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 2 })
    clock.advance(N)
    expect(verdicts).toHaveLength(2)
  })

  it('does nothing with --unresponsive-ms 0, and refuses a negative or fractional threshold', async () => {
    const { pipe, clock, verdicts, probes } = await makeRig({ unresponsiveMs: 0 })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    clock.advance(100 * N)
    await settle()
    expect(verdicts).toEqual([])
    expect(probes()).toEqual([])
    for (const bad of [-1, 1.5])
      expect(
        () => new LivenessMonitor({ unresponsiveMs: bad, pipe, onUnresponsive: () => undefined }),
      ).toThrow(/unresponsiveMs must be a non-negative integer/)
  })

  it('leaves no timer behind after dispose', async () => {
    const { pipe, clock, monitor } = await makeRig()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    expect(clock.pendingTimers).toBeGreaterThan(0)
    monitor.dispose()
    pipe.dispose()
    expect(clock.pendingTimers).toBe(0)
  })
})
