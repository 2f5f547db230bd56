/** How often the stream tops up. */
const TICK_MS = 10

/**
 * Starts sagas at a steady rate through the launcher's `burst` action: every tick it starts
 * however many are due since the start, so a slow tick is made up on the next one (at most a
 * twentieth of a second's worth at once, so a long stall does not turn into one giant burst).
 */
export class SagaStream {
  started = 0
  private startedAt = 0
  private stoppedAt = 0
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: (count: number) => Promise<unknown>,
  ) {}

  start(): void {
    this.startedAt = performance.now()
    this.timer = setInterval(() => this.tick(), TICK_MS)
  }

  stop(): void {
    if (this.timer === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
    this.stoppedAt = performance.now()
  }

  /** Sagas per second actually started. */
  get achievedRate(): number {
    const end = this.timer === undefined ? this.stoppedAt : performance.now()
    return this.started / Math.max(0.001, (end - this.startedAt) / 1000)
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.startedAt) / 1000) * this.ratePerSecond) - this.started
    const count = Math.min(due, Math.ceil(this.ratePerSecond / 20))
    if (count < 1) return
    this.started += count
    void this.burst(count)
  }
}
