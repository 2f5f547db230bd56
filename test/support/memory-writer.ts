import type { HostWriter } from '../../src/main/host-pipe'

/** An in-memory HostWriter: records lines; can be told to fail or to hold writes. */
export class MemoryWriter implements HostWriter {
  readonly lines: string[] = []
  /** Writes still to fail (the reading end is gone). */
  failNext = 0
  failAll = false
  /** Fails every write once this many lines were written (a host that dies mid-drain). */
  failAfter: number | undefined
  private held: Array<{ line: string; resolve: () => void; reject: (e: Error) => void }> | undefined
  inFlightWrites = 0
  maxConcurrentWrites = 0

  write(line: string): Promise<void> {
    this.inFlightWrites++
    this.maxConcurrentWrites = Math.max(this.maxConcurrentWrites, this.inFlightWrites)
    if (this.held) {
      return new Promise<void>((resolve, reject) => {
        this.held!.push({
          line,
          resolve: () => {
            this.inFlightWrites--
            this.lines.push(line)
            resolve()
          },
          reject: (e) => {
            this.inFlightWrites--
            reject(e)
          },
        })
      })
    }
    this.inFlightWrites--
    if (
      this.failAll ||
      this.failNext > 0 ||
      (this.failAfter !== undefined && this.lines.length >= this.failAfter)
    ) {
      if (this.failNext > 0) this.failNext--
      return Promise.reject(new Error('EPIPE: broken pipe'))
    }
    this.lines.push(line)
    return Promise.resolve()
  }

  /** From now on writes wait until `release` or `failHeld`. */
  hold(): void {
    this.held ??= []
  }

  get isHolding(): boolean {
    return this.held !== undefined
  }

  get heldCount(): number {
    return this.held?.length ?? 0
  }

  /** Completes the oldest held write. */
  releaseOne(): void {
    this.held?.shift()?.resolve()
  }

  /** Fails the oldest held write. */
  failOne(): void {
    this.held?.shift()?.reject(new Error('EPIPE: broken pipe'))
  }

  /** Stops holding and completes every held write. */
  releaseAll(): void {
    const held = this.held ?? []
    this.held = undefined
    for (const h of held) h.resolve()
  }

  parsed(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  }
}

/** Lets every queued microtask and promise callback run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

/**
 * A MemoryWriter that also takes frames at once (`writeOrWait`), as a socket below its high-water
 * mark does: a write completes before the call returns unless writes are held (backpressure) or
 * failing, and then it returns the promise `write` gives. Counts the calls of each kind.
 */
export class InstantMemoryWriter extends MemoryWriter {
  instantWrites = 0
  waitedWrites = 0

  writeOrWait(line: string): Promise<void> | undefined {
    if (
      this.heldCount > 0 ||
      this.isHolding ||
      this.failAll ||
      this.failNext > 0 ||
      (this.failAfter !== undefined && this.lines.length >= this.failAfter)
    ) {
      this.waitedWrites++
      return this.write(line)
    }
    this.instantWrites++
    this.lines.push(line)
    return undefined
  }
}
