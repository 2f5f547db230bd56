import type { z } from 'zod'
import { describeSchemaError } from '../../shared/define-commands'
import type { Logger } from '../base/logger'

/**
 * Hands one call's progress values to its `onProgress`, in the order the host sent them, on a
 * later macrotask: a value that arrives before the previous one went out replaces it, so at most
 * one undelivered value is held and a caller that falls behind skips intermediate values, never
 * sees them reordered. `close()` (the call settles) delivers the value still held first, so every
 * value delivered comes before the call settles.
 *
 * A value that fails the command's `progress` schema is dropped and counted; the first one of a
 * call is logged (warn), naming the field.
 */
export class ProgressRelay {
  private pending: unknown
  private hasPending = false
  private isScheduled = false
  private isClosed = false
  /** Values dropped because they failed the schema. */
  dropped = 0

  constructor(
    private readonly name: string,
    private readonly schema: z.ZodType | undefined,
    private readonly listener: (value: unknown) => void,
    private readonly log: Logger,
    /** Runs the delivery later; default `setImmediate` (a fake in tests). */
    private readonly schedule: (fn: () => void) => unknown = setImmediate,
  ) {}

  /** A `report_progress` value for the call. */
  readonly onProgress = (value: unknown): void => {
    if (this.isClosed) return
    const parsed = this.schema?.safeParse(value)
    if (parsed && !parsed.success) {
      if (this.dropped++ === 0)
        this.log.warn(
          `[call] \`${this.name}\`: progress value dropped: ${describeSchemaError(parsed.error)} (further bad values of this call are dropped silently)`,
        )
      return
    }
    this.pending = parsed ? parsed.data : value
    this.hasPending = true
    if (this.isScheduled) return
    this.isScheduled = true
    this.schedule(this.flush)
  }

  /** The call settles: the value still held goes out now, nothing after. */
  close(): void {
    if (this.isClosed) return
    this.flush()
    this.isClosed = true
  }

  private readonly flush = (): void => {
    this.isScheduled = false
    if (!this.hasPending || this.isClosed) return
    const value = this.pending
    this.pending = undefined
    this.hasPending = false
    try {
      this.listener(value)
    } catch (err) {
      this.log.error(
        `[call] \`${this.name}\`: onProgress threw: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
  }
}
