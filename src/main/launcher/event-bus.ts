import type { z } from 'zod'
import { describeSchemaError } from '../../shared/define-commands'
import type { EventDefinitions, EventNameOf, EventPayload } from '../../shared/define-events'
import type { Logger } from '../base/logger'
import type { EventOrigin, ReceivedEvent } from './launcher-streams'

/** A listener of `launcher.on(name, fn)`. */
export type EventListener<E extends EventDefinitions, K extends EventNameOf<E>> = (
  payload: EventPayload<E, K>,
  from: EventOrigin,
) => void

type AnyListener = (payload: unknown, from: EventOrigin) => void

/**
 * The app's events at the launcher (`launcher.on`): each event from the active host is checked
 * against its schema and handed to the listeners of its name, synchronously, in the order the
 * host emitted them (so those a handler emits before it returns come before its call settles).
 * An event of a name the app's `events` do not define, or whose payload fails its schema, is
 * dropped and counted (`eventsDropped`), and logged once per name. A listener that throws is
 * logged; the others still run.
 */
export class EventBus<E extends EventDefinitions> {
  private readonly listeners = new Map<string, AnyListener[]>()
  /** Names already logged as dropped: a flooding host logs one line per name. */
  private readonly loggedDrops = new Set<string>()

  /** @param events the app's `defineEvents`, or undefined: every event is then dropped. */
  constructor(
    private readonly events: E | undefined,
    private readonly log: Logger,
  ) {
    if (events !== undefined && (typeof events !== 'object' || events === null || Array.isArray(events)))
      throw new TypeError('events must be the object defineEvents returns, by event name')
  }

  /**
   * Calls `fn(payload, { hostPid, slot })` with every event `name` from the active host; returns
   * the unsubscribe function. Throws a TypeError when `name` is not one of the app's events or
   * `fn` is not a function.
   */
  on<K extends EventNameOf<E>>(name: K, fn: EventListener<E, K>): () => void {
    if (this.schemaOf(name) === undefined) {
      const known = this.events ? Object.keys(this.events).join(', ') || 'none' : 'none'
      throw new TypeError(
        `on(\`${String(name)}\`): no event of that name was given to the launcher's \`events\` (defined: ${known})`,
      )
    }
    if (typeof fn !== 'function') throw new TypeError(`on(\`${name}\`): the listener must be a function`)
    // Wrapped: the same function subscribed twice is two subscriptions.
    const listener: AnyListener = (payload, from) => fn(payload as EventPayload<E, K>, from)
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener])
    return () => {
      const rest = (this.listeners.get(name) ?? []).filter((l) => l !== listener)
      if (rest.length === 0) this.listeners.delete(name)
      else this.listeners.set(name, rest)
    }
  }

  /** An event from the active host; `noteDropped` counts one that is dropped here. */
  deliver(event: ReceivedEvent, noteDropped: () => void): void {
    const schema = this.schemaOf(event.name)
    if (schema === undefined) return this.drop(event.name, 'no event of that name is defined', noteDropped)
    const parsed = schema.safeParse(event.payload)
    if (!parsed.success)
      return this.drop(event.name, `invalid payload: ${describeSchemaError(parsed.error)}`, noteDropped)
    const listeners = this.listeners.get(event.name)
    if (!listeners) return
    for (const listener of listeners) {
      try {
        listener(parsed.data, event.origin)
      } catch (err) {
        this.log.error(
          `[events] a listener of \`${event.name}\` threw: ${err instanceof Error ? err.message : String(err)}`,
        )
      }
    }
  }

  private schemaOf(name: string): z.ZodType | undefined {
    const events = this.events
    return events && Object.prototype.hasOwnProperty.call(events, name) ? events[name] : undefined
  }

  private drop(name: string, why: string, noteDropped: () => void): void {
    noteDropped()
    if (this.loggedDrops.has(name) || this.loggedDrops.size >= 64) return
    this.loggedDrops.add(name)
    this.log.warn(`[events] event \`${name}\` from the host dropped: ${why} (logged once per name)`)
  }
}
