/**
 * The launcher's end of what hosts send beside their reports (docs/protocol.md#streams): each
 * progress value and chunk goes to the call or stream of its saga, each app event to whoever
 * listens, and the totals the diagnostics feed shows (`streams`, `eventsDropped`).
 */
import type { StreamTotals } from '../../shared/diagnostics'
import type { StreamCredit } from '../../shared/protocol'
import { Emitter, type Listenable } from '../base/emitter'
import { silentLogger, type Logger } from '../base/logger'
import type { ReceivedStreamFrame } from '../ipc/launcher-server'

/** What a call or a stream takes from its host beside the report that ends it. */
export interface SagaStreamSink {
  /** A `report_progress` value, unchecked. */
  onProgress?(value: unknown): void
  /** A `report_chunk` chunk, unchecked, in the order the host yielded it. */
  onChunk?(chunk: unknown): void
}

/** Which host an app event came from (the second argument of `launcher.on`'s listener). */
export interface EventOrigin {
  /** The pid the host registered with. */
  readonly hostPid: number
  /** Its slot in the pool, 0 without one. */
  readonly slot: number
}

/** An app event as the active host sent it, its payload unchecked. */
export interface ReceivedEvent {
  readonly name: string
  readonly payload: unknown
  readonly origin: EventOrigin
}

export interface LauncherStreamsOptions {
  /** Sends `stream_credit` to the host running the saga; a host gone by then is no error. */
  sendControl(cmd: StreamCredit): Promise<void>
  log?: Logger
}

export class LauncherStreams {
  private readonly sinks = new Map<number, SagaStreamSink>()
  private readonly totalsNow: StreamTotals = { open: 0, chunks: 0, bytes: 0 }
  private dropped = 0
  private readonly log: Logger
  private readonly didReceiveEvent = new Emitter<ReceivedEvent>()
  private readonly didChange = new Emitter<void>()
  /** Every app event from the active host, in the order it sent them, before any check. */
  readonly onDidReceiveEvent: Listenable<ReceivedEvent> = this.didReceiveEvent.event
  /** The totals changed (the diagnostics feed coalesces these). */
  readonly onDidChange: Listenable<void> = this.didChange.event

  constructor(private readonly opts: LauncherStreamsOptions) {
    this.log = opts.log ?? silentLogger
  }

  /**
   * `sink` takes saga `sagaId`'s progress values and chunks until the returned function is called
   * (at the saga's end). A stream counts as open meanwhile.
   */
  attach(sagaId: number, sink: SagaStreamSink, isStream: boolean): () => void {
    this.sinks.set(sagaId, sink)
    if (isStream) this.changeOpen(1)
    let isAttached = true
    return () => {
      if (!isAttached) return
      isAttached = false
      if (this.sinks.get(sagaId) === sink) this.sinks.delete(sagaId)
      if (isStream) this.changeOpen(-1)
    }
  }

  /** A stream frame from the active host in `slot`. */
  handleFrame(received: ReceivedStreamFrame, slot: number): void {
    const frame = received.frame
    switch (frame.cmd) {
      case 'report_event':
        return this.didReceiveEvent.fire({
          name: frame.name,
          payload: frame.payload,
          origin: { hostPid: received.hostPid, slot },
        })
      case 'report_chunk': {
        this.totalsNow.chunks++
        this.totalsNow.bytes += received.bytes
        this.didChange.fire()
        const sink = this.sinks.get(frame.saga_id)
        if (sink?.onChunk) return sink.onChunk(frame.chunk)
        return this.log.debug(
          `[streams] chunk for saga ${frame.saga_id}, which streams nothing here: dropped`,
        )
      }
      case 'report_progress':
        // After its call settled (or for a call that asked for none): nobody waits for it.
        return this.sinks.get(frame.saga_id)?.onProgress?.(frame.value)
    }
  }

  /** `credit` more chunks of saga `sagaId` may come. */
  grantCredit(sagaId: number, credit: number): void {
    this.opts.sendControl({ cmd: 'stream_credit', saga_id: sagaId, credit }).catch((err: unknown) => {
      // The host is gone: its stream fails with the host's loss.
      this.log.debug(`[streams] stream_credit for saga ${sagaId} not sent: ${String(err)}`)
    })
  }

  /** An app event was dropped (a standby's, a written-off host's, an unknown name, a bad payload). */
  noteEventDropped(): void {
    this.dropped++
    this.didChange.fire()
  }

  totals(): StreamTotals {
    return { ...this.totalsNow }
  }

  get eventsDropped(): number {
    return this.dropped
  }

  dispose(): void {
    this.sinks.clear()
    this.didReceiveEvent.dispose()
    this.didChange.dispose()
  }

  private changeOpen(by: number): void {
    this.totalsNow.open += by
    this.didChange.fire()
  }
}
