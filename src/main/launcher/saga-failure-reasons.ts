import { REASON_DEADLINE_EXCEEDED } from '../../shared/protocol'
import { HostPipeError, REASON_BEFORE_ACK } from '../host-pipe'
import type { SagaEnd } from './saga-coordinator'

// How a saga that did not complete is worded: its timeout, a command the pipe refused, a call lost
// with its host (the words that it may have run, then why the host went), the calls the launcher's
// stop ends. Apart from saga-coordinator.ts because a call that completes never comes here.

export const REASON_SAGA_TIMEOUT = 'saga timeout'

/** How `reasonLostWhileExecuting` begins: a retryable command lost with every host it reached. */
const REASON_LOST_WHILE_EXECUTING = 'host lost while executing'

/** A reason for a call whose host was lost after it was sent: the host may have run it. */
export function mayHaveRun(reason: string): boolean {
  return reason.startsWith(REASON_BEFORE_ACK) || reason.startsWith(REASON_LOST_WHILE_EXECUTING)
}

/**
 * What a saga whose command the pipe refused with `err` fails with, and the error its caller gets
 * instead of a SagaFailedError (PAYLOAD_TOO_LARGE, QUEUE_FULL: the caller's to handle). Undefined
 * for WRITE_FAILED: the pipe keeps that frame, and still delivers it or fails its saga.
 */
export function refusalOf(err: unknown): { reason: string; error?: HostPipeError } | undefined {
  if (err instanceof HostPipeError) {
    if (err.code === 'WRITE_FAILED') return undefined
    if (err.code === 'PAYLOAD_TOO_LARGE' || err.code === 'QUEUE_FULL')
      return { reason: err.message, error: err }
  }
  return { reason: `host pipe refused the command: ${err instanceof Error ? err.message : String(err)}` }
}

/** What an open saga fails with when the launcher stops (`cause`): before it was sent, or after. */
export function stopReason(cause: string, isUnsent: boolean): string {
  return isUnsent ? `${cause} before the call was sent` : `${REASON_BEFORE_ACK} (${cause})`
}

/**
 * Whether a failed saga's caller should see its timeout: the timeout had passed by the end, or the
 * end is the launcher's timer or the host's deadline, whichever came first.
 */
export function isTimeoutEnd(end: SagaEnd & { ok: false }): boolean {
  return end.isPastTimeout || end.reason === REASON_SAGA_TIMEOUT || end.reason === REASON_DEADLINE_EXCEEDED
}

/**
 * Why the host being lost went, for the reasons of the calls lost with it: the launcher's stop
 * (`beginStop`, from then on), or how the host's process ended (`noteHostExit`, for the rest of
 * the turn).
 */
export class HostLossReasons {
  /** Set by `beginStop`: why the launcher is stopping. */
  private stopCause: string | undefined
  /** Set by `noteHostExit` until the end of the turn: why the host being lost left. */
  private exitDetail: string | undefined
  /** Set by `noteHostExit` until the end of the turn: how the host being lost ended, once known. */
  private pendingExitDetail: Promise<string | undefined> | undefined

  /** The launcher is stopping (`cause`): calls lost with their host say so from now on. */
  beginStop(cause: string): void {
    this.stopCause = cause
  }

  /**
   * The host is leaving: its process exits with `how` (a code), or ended as `how` says
   * (`killed by SIGKILL`), or will be known to have ended so once `how` settles. Calls lost with it
   * in this turn say so; with a promise, once it settles (the caller bounds the wait, see
   * HOST_EXIT_WAIT_MS). A clean exit (0) adds nothing.
   */
  noteHostExit(how: number | string | Promise<string | undefined>): void {
    if (how === 0) return
    if (how instanceof Promise) this.pendingExitDetail = how
    else this.exitDetail = typeof how === 'number' ? `exit code ${how}` : how
    queueMicrotask(() => {
      this.exitDetail = undefined
      this.pendingExitDetail = undefined
    })
  }

  /**
   * Ends a saga whose frame the pipe lost with `reason`, by `fail`: at once when the wording is
   * known (`reasonFor`), else once how its host ended is, if `isStillOpen()` then. Meanwhile its
   * `lostReason` is `reason`: whatever ends it first says it was lost, as it may have run.
   */
  failLost(
    saga: { lostReason?: string },
    reason: string,
    fail: (worded: string) => void,
    isStillOpen: () => boolean,
  ): void {
    const worded = this.reasonFor(reason)
    if (typeof worded === 'string') return fail(worded)
    saga.lostReason = reason
    void worded.then((later) => {
      if (isStillOpen()) fail(later)
    })
  }

  /**
   * What a saga whose frame the pipe lost with `reason` fails with: `reason`, followed by why the
   * host went when the host may have run it (`host disconnected before ack (exit code 1)`). A
   * string when known now, a promise when it waits for how the host ended.
   */
  private reasonFor(reason: string): string | Promise<string> {
    if (!mayHaveRun(reason)) return reason
    const detail = this.stopCause ?? this.exitDetail
    const pending = this.pendingExitDetail
    if (detail !== undefined || pending === undefined) return detail ? `${reason} (${detail})` : reason
    return pending.then((later) => (later ? `${reason} (${later})` : reason))
  }
}
