import { REASON_BEFORE_ACK, reasonLostWhileExecuting } from './host-pipe-options'
import type { OutboundCommand } from './outbound-frame'

/** The unacked commands of a lost host. */
export interface HostLossTriage {
  /** Go again on the next host, ahead of everything buffered (docs/protocol.md#retry-on-host-loss); in write order. */
  readonly retried: OutboundCommand[]
  /**
   * Will not go again: their sagas fail (unless already settled), in this order: commands sent
   * without retry first, then retryable ones out of attempts or time; each part in write order.
   */
  readonly lost: OutboundCommand[]
}

/**
 * Retry on host loss (docs/protocol.md#retry-on-host-loss): decides which commands lost in flight with their host are
 * sent again. Only frames sent with `{retry: true}` qualify, so a pipe nobody asks to retry keeps
 * at-most-once (HostPipe behaviour 8, docs/host-pipe.md#guarantees). A retryable frame goes again while it has attempts left (a poison
 * command cannot crash-loop the pool) and its wall-clock `deadline`, if it has one, has not passed.
 */
export class HostLossRetry {
  /**
   * @param maxAttempts writes allowed per retryable frame, the first one included (≥ 1).
   * @param wallNow the wall clock in ms since the epoch, compared with a command's `deadline`.
   */
  constructor(
    private readonly maxAttempts: number,
    private readonly wallNow: () => number,
  ) {}

  /** Splits `unacked` (oldest first) into what is retried and what is lost. */
  triage(unacked: readonly OutboundCommand[]): HostLossTriage {
    // One pass: a host lost with a full window holds 1,024 of them, and this runs in the failover.
    const retried: OutboundCommand[] = []
    const lostPlain: OutboundCommand[] = []
    const lostRetryable: OutboundCommand[] = []
    for (const f of unacked) {
      if (this.canRetry(f)) retried.push(f)
      else (f.retry ? lostRetryable : lostPlain).push(f)
    }
    return { retried, lost: lostRetryable.length === 0 ? lostPlain : [...lostPlain, ...lostRetryable] }
  }

  /**
   * The `saga_failed` reason of a lost command: REASON_BEFORE_ACK without retry (it may have run:
   * never re-sent), else reasonLostWhileExecuting with the attempts it had.
   */
  lostReason(frame: OutboundCommand): string {
    return frame.retry ? reasonLostWhileExecuting(frame.attempts) : REASON_BEFORE_ACK
  }

  /** A retryable frame lost in flight goes again while it has attempts and time left (docs/protocol.md#retry-on-host-loss). */
  canRetry(frame: OutboundCommand): boolean {
    if (!frame.retry || frame.settled || frame.attempts >= this.maxAttempts) return false
    const deadline = (frame.cmd as { deadline?: unknown }).deadline
    return typeof deadline !== 'number' || deadline > this.wallNow()
  }
}
