/**
 * Runs one stream handler's async generator (docs/protocol.md#streams): pulls a chunk only while
 * the launcher's credit allows one more, so a slow consumer holds the generator at its `yield`
 * and neither process buffers without bound.
 */

export interface StreamPumpOptions {
  /** What the stream handler returned. */
  generator: AsyncGenerator<unknown, unknown, unknown>
  /** Chunks that may be sent before any credit comes (`registered.stream_window`, at least 1). */
  window: number
  /** Fires on `cancel_saga` or at the deadline: the generator is closed and the run rejects with its reason. */
  signal: AbortSignal
  /** The chunk to send for what the generator yielded (its `index`th, from 0); throws when it is bad. */
  checkChunk(chunk: unknown, index: number): unknown
  /** Sends one chunk; returns why it could not be sent (nothing is sent then), or undefined. */
  sendChunk(chunk: unknown): string | undefined
}

/**
 * Pulls chunks from a generator and sends them, at most `window` plus the credit granted since
 * ahead of the launcher. `run()` resolves with the generator's return value, or rejects with
 * whatever went wrong: the generator threw, a chunk was bad or could not be sent, or `signal`
 * fired (its reason). On every rejection the generator is closed first (`return()`: its
 * `finally` blocks run) unless it has already ended.
 */
export class StreamPump {
  private credit: number
  private wake: (() => void) | undefined

  constructor(private readonly opts: StreamPumpOptions) {
    this.credit = opts.window
  }

  /** `stream_credit`: `credit` more chunks may be sent. */
  grant(credit: number): void {
    this.credit += credit
    this.wake?.()
  }

  async run(): Promise<unknown> {
    const { generator, signal } = this.opts
    let index = 0
    try {
      for (;;) {
        if (this.credit <= 0) await this.creditOrAbort()
        if (signal.aborted) throw signal.reason
        const step = await generator.next()
        // A cancelled stream is reported cancelled even when its generator went on to return.
        if (signal.aborted) throw signal.reason
        if (step.done) return step.value
        const chunk = this.opts.checkChunk(step.value, index)
        const failure = this.opts.sendChunk(chunk)
        if (failure !== undefined) throw new Error(`chunk ${index} ${failure}`)
        index++
        this.credit--
      }
    } catch (err) {
      await closeQuietly(generator)
      throw err
    }
  }

  private creditOrAbort(): Promise<void> {
    const signal = this.opts.signal
    if (signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        this.wake = undefined
        signal.removeEventListener('abort', done)
        resolve()
      }
      this.wake = done
      signal.addEventListener('abort', done, { once: true })
    })
  }
}

/** Runs the generator's `finally` blocks; what they throw cannot change the outcome already decided. */
async function closeQuietly(generator: AsyncGenerator<unknown, unknown, unknown>): Promise<void> {
  try {
    await generator.return(undefined)
  } catch {
    // The saga already fails with the first error.
  }
}
