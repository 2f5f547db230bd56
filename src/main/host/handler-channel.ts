/**
 * What a host's handlers send beside their reports (docs/protocol.md#streams): progress values,
 * stream chunks and app events, and the credit that paces each stream's chunks. The runtime
 * attaches its sender when the session starts and feeds in `stream_window` and `stream_credit`;
 * the dispatcher and `runHost`'s `emit` send through it.
 */
import type { z } from 'zod'
import { describeSchemaError } from '../../shared/define-commands'
import type { EventDefinitions } from '../../shared/define-events'
import { DEFAULT_STREAM_WINDOW, type StreamFrame } from '../../shared/protocol-core'
import { findUnencodable } from '../../shared/wire-value'
import type { StreamPump } from './stream-pump'

/** Writes one frame; returns why it could not be (too large, not encodable: nothing written), or undefined. */
export type StreamFrameSender = (frame: StreamFrame) => string | undefined

export class HandlerChannel {
  private sender: StreamFrameSender | undefined
  private window = DEFAULT_STREAM_WINDOW
  private readonly pumps = new Map<number, StreamPump>()

  /** @param events the app's events (`defineEvents`), checked at `emit`; none when undefined. */
  constructor(private readonly events: EventDefinitions | undefined) {}

  /** The session's sender: frames go out through it, in the order sent, from now on. */
  attach(sender: StreamFrameSender): void {
    this.sender = sender
  }

  /** `registered.stream_window`: the credit each stream starts with. */
  setStreamWindow(window: number): void {
    this.window = window
  }

  get streamWindow(): number {
    return this.window
  }

  /** A stream runs for `sagaId` until the returned function is called: credit for it reaches `pump`. */
  addStream(sagaId: number, pump: StreamPump): () => void {
    this.pumps.set(sagaId, pump)
    return () => {
      if (this.pumps.get(sagaId) === pump) this.pumps.delete(sagaId)
    }
  }

  /** `stream_credit`. Credit for a stream that has ended (or never ran here) is ignored. */
  grantCredit(sagaId: number, credit: number): void {
    this.pumps.get(sagaId)?.grant(credit)
  }

  /** Sends one frame; returns why it could not be sent, or undefined. */
  send(frame: StreamFrame): string | undefined {
    if (!this.sender) return 'cannot be sent before the host has connected'
    return this.sender(frame)
  }

  /**
   * Sends app event `name`: throws a TypeError naming the event and the field when it is not
   * defined, when the payload fails its schema or cannot travel, or when the frame cannot be sent.
   */
  emit(name: string, payload: unknown): void {
    const where = `emit(\`${name}\`)`
    const schema: z.ZodType | undefined =
      this.events && Object.prototype.hasOwnProperty.call(this.events, name) ? this.events[name] : undefined
    if (!schema) throw new TypeError(`${where}: no event of that name was given to runHost({ events })`)
    const parsed = schema.safeParse(payload)
    if (!parsed.success)
      throw new TypeError(`${where}: invalid payload: ${describeSchemaError(parsed.error)}`)
    const unencodable = findUnencodableValue(parsed.data, 'payload')
    if (unencodable !== undefined) throw new TypeError(`${where}: payload is not encodable: ${unencodable}`)
    const failure = this.send({ cmd: 'report_event', name, payload: parsed.data })
    if (failure !== undefined) throw new TypeError(`${where}: the event ${failure}`)
  }
}

/**
 * `findUnencodable` for a value that must be present on the wire (a progress value, a chunk, a
 * payload): `undefined` would vanish from the frame, so it is refused too.
 */
export function findUnencodableValue(value: unknown, root: string): string | undefined {
  if (value === undefined) return `${root} is undefined (null travels)`
  return findUnencodable(value, root)
}
