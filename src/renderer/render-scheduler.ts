/** The timers the scheduler uses; the browser's in the panel, fakes in tests. */
export interface FrameTimers {
  requestAnimationFrame(fn: () => void): number
  cancelAnimationFrame(handle: number): void
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** A hidden window gets no animation frames; the timer keeps the page within this of the data. */
export const MAX_RENDER_DELAY_MS = 90

/**
 * Coalesces many updates into one render per animation frame. A fallback timer renders anyway
 * if no frame comes (a background tab, a hidden window), so the DOM is never more than
 * MAX_RENDER_DELAY_MS behind the newest snapshot.
 */
export class RenderScheduler {
  private frame: number | undefined
  private timer: unknown
  private pending = false
  private disposed = false

  constructor(
    private readonly render: () => void,
    private readonly timers: FrameTimers,
    private readonly maxDelayMs = MAX_RENDER_DELAY_MS,
  ) {}

  schedule(): void {
    if (this.pending || this.disposed) return
    this.pending = true
    this.frame = this.timers.requestAnimationFrame(this.run)
    this.timer = this.timers.setTimeout(this.run, this.maxDelayMs)
  }

  /** Renders now if anything is scheduled. */
  flush(): void {
    this.run()
  }

  dispose(): void {
    this.disposed = true
    this.cancel()
    this.pending = false
  }

  private readonly run = (): void => {
    if (!this.pending) return
    this.pending = false
    this.cancel()
    this.render()
  }

  private cancel(): void {
    if (this.frame !== undefined) this.timers.cancelAnimationFrame(this.frame)
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.frame = undefined
    this.timer = undefined
  }
}
