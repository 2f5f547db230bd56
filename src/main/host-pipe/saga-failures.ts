import type { HostPipeCounters } from '../../shared/diagnostics'
import type { Event } from '../../shared/protocol'
import { Emitter, type Listenable } from '../base/emitter'
import type { HostPipeOptions, SagaFailure } from './host-pipe-options'
import type { OutboundCommand } from './outbound-frame'

/**
 * Fails the sagas of HostPipe's frames, at most once per saga, and tells who needs to know: first
 * the owner (`onDidFail`), then the bus (a `saga_failed` event through `emit`) if the pipe was
 * given one; an owner that publishes outcomes itself gives none. HostPipe decides when a frame is lost; this keeps the
 * once-per-saga rule.
 */
export class SagaFailures {
  private readonly didFail = new Emitter<SagaFailure>()
  /** A saga HostPipe failed, before its `saga_failed` goes to `emit`. */
  readonly onDidFail: Listenable<SagaFailure> = this.didFail.event
  private readonly emit: ((e: Event) => void) | undefined
  private readonly nextVersion: () => number

  /**
   * @param bus HostPipe's `emit` (publishes an event) and `nextVersion` (the bus's next version).
   * @param counters HostPipe's counters: `sagaFailed` (and `cancelled` when asked) are bumped here.
   * @param purgeSaga removes a saga's unwritten frames and settles its in-flight ones (HostPipe's).
   */
  constructor(
    bus: Pick<HostPipeOptions, 'emit' | 'nextVersion'>,
    private readonly counters: HostPipeCounters,
    private readonly purgeSaga: (sagaId: number) => void,
  ) {
    this.emit = bus.emit
    if (bus.emit && !bus.nextVersion) throw new TypeError('HostPipe: `emit` needs `nextVersion`')
    this.nextVersion = bus.nextVersion ?? (() => 0)
  }

  /**
   * Fails the sagas of `frames`, once per saga: a saga's other unwritten frames are purged and its
   * in-flight ones marked settled, so no saga gets a second `saga_failed` from here. Frames
   * already settled, and frames of no saga, fail nothing. `countAs` counts every frame given.
   */
  failAll(frames: readonly OutboundCommand[], reason: string, countAs?: 'cancelled'): void {
    for (const frame of frames) {
      if (countAs) this.counters[countAs]++
      if (frame.settled) continue
      frame.settled = true
      const sagaId = frame.sagaId
      if (sagaId === undefined) continue
      this.counters.sagaFailed++
      // The owner hears first (it closes the saga), then the bus publishes the event.
      this.didFail.fire({ sagaId, reason })
      this.emit?.({ event: 'saga_failed', saga_id: sagaId, reason, version: this.nextVersion() })
      this.purgeSaga(sagaId)
    }
  }

  /** Drops the owner's listeners. */
  dispose(): void {
    this.didFail.dispose()
  }
}
