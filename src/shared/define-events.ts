/**
 * Events an embedding app's host emits (docs/embedding.md, docs/protocol.md#streams): a name and a
 * zod schema for the payload. One definition, shared by the launcher and the host, types both
 * ends: the host's `emit(name, payload)` and the launcher's `on(name, fn)`.
 *
 * Runtime-free: zod only.
 */
import type { z } from 'zod'
import { isZodSchema, NAME_PATTERN } from './define-commands'

/** Every event of an app, by name: the schema of its payload. */
export type EventDefinitions = { readonly [name: string]: z.ZodType }

/** The names `emit` and `on` accept for a set of event definitions. */
export type EventNameOf<E extends EventDefinitions> = Extract<keyof E, string>

/** What event `K` carries: what `emit` takes is the schema's input type, what `on` gets its output. */
export type EventPayload<E extends EventDefinitions, K extends EventNameOf<E>> = z.output<E[K]>

/** What `emit(name, payload)` takes for event `K`: the payload schema's input type. */
export type EventPayloadInput<E extends EventDefinitions, K extends EventNameOf<E>> = z.input<E[K]>

/**
 * Checks a set of event definitions and returns it frozen, with its types kept exactly, for
 * `runHost({ events })` and the launcher's `events` option.
 *
 * Throws a TypeError naming the event and what is wrong when the argument is not an object of
 * definitions, when a name is not a plain identifier (`/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/`, as a
 * command's), or when a payload schema is not a zod schema.
 *
 * @example
 * const events = defineEvents({
 *   'file.changed': z.object({ path: z.string() }),
 *   'model.loaded': z.object({ ms: z.number() }),
 * })
 * @category API
 */
export function defineEvents<const E extends EventDefinitions>(definitions: E): E {
  if (typeof definitions !== 'object' || definitions === null || Array.isArray(definitions))
    throw new TypeError('defineEvents takes an object of payload schemas, by event name')
  for (const [name, schema] of Object.entries(definitions)) {
    const where = `event \`${name}\``
    if (!NAME_PATTERN.test(name)) throw new TypeError(`${where}: a name must match ${String(NAME_PATTERN)}`)
    if (!isZodSchema(schema)) throw new TypeError(`${where}: the payload must be a zod schema`)
  }
  return Object.freeze({ ...definitions })
}
