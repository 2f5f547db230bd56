import type { Logger } from '../base/logger'
import type { SagaPipe } from './saga-coordinator'

// Sagas whose end a deadline-aware host decides (feature "deadline", docs/protocol.md#outcomes):
// one past its timeout while in flight there waits for that host's report, and a cancel goes to
// the host. Apart from saga-coordinator.ts because a call that ends in time, uncancelled, never
// comes here.

/** A deadline-aware host acked a saga's command past its timeout without reporting on it. */
export const REASON_NO_REPORT = 'host acked without a report'

/** What the verdicts hold of a saga. */
interface VerdictSaga {
  readonly id: number
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

  /**
   * @param hostHonoursDeadlines whether the connected host registered with feature `"deadline"`.
   * @param failNoReport fails a saga left to its host whose command was acked without a report
   *   (with REASON_NO_REPORT): the coordinator decides and publishes, as for every end.
   */
  constructor(
    private readonly pipe: Pick<SagaPipe, 'sagaCommandState' | 'sendControl'>,
    private readonly hostHonoursDeadlines: () => boolean,
    private readonly log: Logger,
    private readonly failNoReport: (saga: S) => void,
  ) {}

  /** Sagas past their timeout waiting for their host's verdict. */
  get size(): number {
    return this.left.size
  }

  /** Its command is in flight on a deadline-aware host: that host can honour a deadline and a cancel. */
  isInFlightOnHost(saga: S): boolean {
    return this.hostHonoursDeadlines() && this.pipe.sagaCommandState(saga.id) === 'in-flight'
  }

  /** Its timeout passed in flight on a deadline-aware host: its report (or its loss) decides. */
  leave(saga: S): void {
    saga.isLeftToHost = true
    this.left.set(saga.id, saga)
    this.log.info(`[saga] saga ${saga.id} timed out in flight on a deadline-aware host: its report decides`)
  }

  /** Sends `cancel_saga` to the saga's host; the host's report ends the saga. */
  cancelOnHost(sagaId: number): void {
    this.pipe.sendControl({ cmd: 'cancel_saga', saga_id: sagaId }).catch((err: unknown) => {
      // The host is gone: the pipe fails the saga's in-flight command with the host's loss.
      this.log.debug(`[saga] cancel_saga ${sagaId} not sent: ${String(err)}`)
    })
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
  scheduleCheck(): void {
    if (this.isCheckScheduled || this.left.size === 0 || this.isDisposed) return
    this.isCheckScheduled = true
    queueMicrotask(() => {
      this.isCheckScheduled = false
      if (this.isDisposed) return
      for (const saga of [...this.left.values()]) {
        if (this.pipe.sagaCommandState(saga.id) !== undefined) continue
        this.log.warn(`[saga] saga ${saga.id}: the host acked its command without a report`)
        this.failNoReport(saga)
      }
    })
  }

  dispose(): void {
    this.isDisposed = true
    this.left.clear()
  }
}
