import type { Disposable } from '../base/disposable'
import type { Logger } from '../base/logger'
import type { SagaPipe } from './saga-coordinator'
import { REASON_SAGA_TIMEOUT } from './saga-failure-reasons'

// What a saga's timeout or cancel does, and the sagas whose end a deadline-aware host decides
// (feature "deadline", docs/protocol.md#outcomes): one past its timeout while in flight there waits
// for that host's report, and a cancel goes to the host; otherwise either fails the saga now.
// Apart from saga-coordinator.ts because a call that ends in time, uncancelled, never comes here.

/** A deadline-aware host acked a saga's command past its timeout without reporting on it. */
export const REASON_NO_REPORT = 'host acked without a report'

/** What `cancelSaga` did. */
export type SagaCancelOutcome =
  /** It had not reached a host, or its host cannot honour a cancel: `saga_failed` now. */
  | 'failed'
  /** In flight on a deadline-aware host: `cancel_saga` sent; the host's report ends the saga. */
  | 'sent-to-host'
  /** No open saga with that id. */
  | 'not-open'

/** What the verdicts hold of a saga. */
interface VerdictSaga {
  readonly id: number
  readonly request: { readonly cmd: string }
  readonly timeoutMs: number
  /** Its timeout moment, on the coordinator's clock. */
  readonly deadline: number
  /** Past its timeout, in flight on a deadline-aware host: that host's report decides. */
  isLeftToHost: boolean
}

export class HostVerdicts<S extends VerdictSaga> {
  /** Sagas left to a deadline-aware host, in the order their timeouts passed. */
  private readonly left = new Map<number, S>()
  private isCheckScheduled = false
  private isDisposed = false
  private readonly pipeChanges: Disposable | undefined

  /**
   * @param hostHonoursDeadlines whether the connected host registered with feature `"deadline"`.
   * @param fail fails a saga (past its timeout, cancelled, or acked without a report by the host
   *   it was left to): the coordinator decides and publishes, as for every end.
   */
  constructor(
    private readonly pipe: Pick<SagaPipe, 'sagaCommandState' | 'sendControl' | 'onDidChange'>,
    private readonly hostHonoursDeadlines: () => boolean,
    private readonly log: Logger,
    private readonly fail: (saga: S, reason: string) => void,
  ) {
    this.pipeChanges = pipe.onDidChange?.(() => this.scheduleCheck())
  }

  /** Sagas past their timeout waiting for their host's verdict. */
  get size(): number {
    return this.left.size
  }

  /** Its command is in flight on a deadline-aware host: that host can honour a deadline and a cancel. */
  private isInFlightOnHost(saga: S): boolean {
    return this.hostHonoursDeadlines() && this.pipe.sagaCommandState(saga.id) === 'in-flight'
  }

  /**
   * An open saga's timeout passed: in flight on a deadline-aware host, its report (or its loss)
   * decides; otherwise it fails now (REASON_SAGA_TIMEOUT).
   */
  timeOut(saga: S): void {
    if (!this.isInFlightOnHost(saga)) {
      this.log.warn(`[saga] saga ${saga.id} (${saga.request.cmd}) timed out after ${saga.timeoutMs} ms`)
      return this.fail(saga, REASON_SAGA_TIMEOUT)
    }
    saga.isLeftToHost = true
    this.left.set(saga.id, saga)
    this.log.info(`[saga] saga ${saga.id} timed out in flight on a deadline-aware host: its report decides`)
  }

  /**
   * Cancels an open saga: in flight on a deadline-aware host, `cancel_saga` goes to the host and
   * its report ends the saga; otherwise it fails now with `reason`.
   */
  cancel(saga: S, reason: string): SagaCancelOutcome {
    if (!this.isInFlightOnHost(saga)) {
      this.fail(saga, reason)
      return 'failed'
    }
    this.pipe.sendControl({ cmd: 'cancel_saga', saga_id: saga.id }).catch((err: unknown) => {
      // The host is gone: the pipe fails the saga's in-flight command with the host's loss.
      this.log.debug(`[saga] cancel_saga ${saga.id} not sent: ${String(err)}`)
    })
    return 'sent-to-host'
  }

  /** The saga ended. */
  remove(saga: S): void {
    this.left.delete(saga.id)
  }

  /**
   * The earliest timeout moment among the sagas left to their host (of those `where` accepts: one
   * pool slot's), or undefined.
   */
  oldestOverdueDeadline(where?: (sagaId: number) => boolean): number | undefined {
    if (!where) return this.left.values().next().value?.deadline
    for (const saga of this.left.values()) if (where(saga.id)) return saga.deadline
    return undefined
  }

  /**
   * A saga left to its host ends with the host's report, which comes before the ack; one whose
   * command the pipe no longer holds was acked without a report, so it fails rather than wait
   * forever. Checked once per batch of pipe changes, after the pipe's notification returns.
   */
  private scheduleCheck(): void {
    if (this.isCheckScheduled || this.left.size === 0 || this.isDisposed) return
    this.isCheckScheduled = true
    queueMicrotask(() => {
      this.isCheckScheduled = false
      if (this.isDisposed) return
      for (const saga of [...this.left.values()]) {
        if (this.pipe.sagaCommandState(saga.id) !== undefined) continue
        this.log.warn(`[saga] saga ${saga.id}: the host acked its command without a report`)
        this.fail(saga, REASON_NO_REPORT)
      }
    })
  }

  dispose(): void {
    this.isDisposed = true
    this.pipeChanges?.dispose()
    this.left.clear()
  }
}
