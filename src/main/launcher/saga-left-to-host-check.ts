import type { Disposable } from '../base/disposable'
import type { HostPipe } from '../host-pipe'
import type { Saga } from './saga'
import type { SagaLedger } from './saga-ledger'

/**
 * A saga left to its host ends with the host's report, which comes before the ack. One whose
 * command HostPipe no longer holds was acked with no report (a host losing it fails it in
 * HostPipe first): `onAckedWithoutReport` fails it rather than wait forever. Checked once per
 * batch of pipe changes, on a microtask: HostPipe is mid-update while it notifies.
 */
export class SagaLeftToHostCheck implements Disposable {
  private isScheduled = false
  private isDisposed = false

  constructor(
    private readonly ledger: SagaLedger,
    private readonly pipe: Pick<HostPipe, 'sagaCommandState'>,
    private readonly onAckedWithoutReport: (saga: Saga) => void,
  ) {}

  /** Runs the check after the current notification returns, if any saga is left to its host. */
  schedule(): void {
    if (this.isScheduled || this.ledger.leftToHostCount === 0 || this.isDisposed) return
    this.isScheduled = true
    queueMicrotask(() => {
      this.isScheduled = false
      if (!this.isDisposed) this.check()
    })
  }

  dispose(): void {
    this.isDisposed = true
  }

  /**
   * Oldest first, stopping at the first still in flight: acks are cumulative, so later ones are
   * in flight too.
   */
  private check(): void {
    for (const saga of this.ledger.leftToHostSagas()) {
      if (this.pipe.sagaCommandState(saga.id) !== undefined) return
      this.onAckedWithoutReport(saga)
    }
  }
}
