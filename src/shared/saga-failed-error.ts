/**
 * A saga ended with `saga_failed`: `launcher.call` rejects with this. `reason` is the event's
 * reason: the message of the error a handler threw, `deadline exceeded`, `cancelled`,
 * `host disconnected before ack`, `host unreachable`, … (every reason: docs/protocol.md#reasons).
 * @category Errors
 */
export class SagaFailedError extends Error {
  override readonly name = 'SagaFailedError'

  constructor(
    /** The saga's id, as in its `saga_started` / `saga_failed` events. */
    readonly sagaId: number,
    /** The `saga_failed` reason. */
    readonly reason: string,
  ) {
    super(`saga ${sagaId} failed: ${reason}`)
  }
}
