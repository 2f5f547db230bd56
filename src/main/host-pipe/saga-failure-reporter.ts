import type { Event } from '../../shared/protocol'
import { Emitter, type Listenable } from '../base/emitter'
import type { SagaFailure } from './host-pipe-options'

/**
 * Tells who needs to know that HostPipe failed a saga: first its owner (`onDidFail`, the saga
 * coordinator, which closes the saga), then the bus (a `saga_failed` event through `emit`).
 * HostPipe decides when (at most once per saga); this only reports.
 */
export class SagaFailureReporter {
  private readonly didFail = new Emitter<SagaFailure>()
  /** A saga HostPipe failed, before its `saga_failed` goes to `emit`. */
  readonly onDidFail: Listenable<SagaFailure> = this.didFail.event

  /**
   * @param emit publishes an event on the bus (HostPipeOptions.emit).
   * @param nextVersion the bus's next event version (HostPipeOptions.nextVersion).
   */
  constructor(
    private readonly emit: (e: Event) => void,
    private readonly nextVersion: () => number,
  ) {}

  report(sagaId: number, reason: string): void {
    // The owner hears first (it closes the saga), then the bus publishes the event.
    this.didFail.fire({ sagaId, reason })
    this.emit({ event: 'saga_failed', saga_id: sagaId, reason, version: this.nextVersion() })
  }

  /** Drops the owner's listeners; later reports still reach `emit`. */
  dispose(): void {
    this.didFail.dispose()
  }
}
