// The latency scenario's pacer, against a fake target on fake timers: no processes, no real time.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runPaced } from '../../bench/paced-run'
import { WINDOW } from '../../bench/windowed-run'
import type { CommandTarget } from '../../bench/workload'

/** A target whose host acks only when told to (a host that fell behind). */
class StallingTarget implements CommandTarget {
  readonly name = 'stalling'
  readonly hostPid = undefined
  readonly failure = undefined
  sent = 0
  maxUnacked = 0
  acked = 0
  onAck: (() => void) | undefined
  send(): void {
    this.sent++
    this.maxUnacked = Math.max(this.maxUnacked, this.sent - this.acked)
  }
  ackAll(): void {
    this.acked = this.sent
    this.onAck?.()
  }
  async dispose(): Promise<void> {}
}

afterEach(() => {
  vi.useRealTimers()
})

describe('the paced latency run', () => {
  it('never leaves more than the window unacked: a host that falls behind holds the schedule back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const target = new StallingTarget()
    const held: number[] = []
    const run = runPaced(target, 10_000, 500, (n) => held.push(n))
    // 300 ms at 10k/s is 3,000 commands due; the host acks none of them.
    await vi.advanceTimersByTimeAsync(300)
    expect(target.sent).toBe(WINDOW)
    // It catches up: the held-back commands go at once, then the schedule goes on.
    target.ackAll()
    expect(target.sent).toBe(2 * WINDOW)
    for (let t = 0; t < 400 && target.acked < 5_000; t += 10) {
      await vi.advanceTimersByTimeAsync(10)
      target.ackAll()
    }
    const latencies = await run
    expect(latencies).toHaveLength(5_000)
    expect(target.maxUnacked).toBeLessThanOrEqual(WINDOW)
    expect(held).toHaveLength(1)
    expect(held[0]).toBeGreaterThan(1_900)
  })

  it('reports nothing held back when the host keeps up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const target = new StallingTarget()
    const held: number[] = []
    const run = runPaced(target, 10_000, 100, (n) => held.push(n))
    for (let t = 0; t < 200 && target.acked < 1_000; t++) {
      await vi.advanceTimersByTimeAsync(1)
      target.ackAll()
    }
    expect(await run).toHaveLength(1_000)
    expect(held).toEqual([])
  })
})
