/**
 * Commands an embedding app defines (docs/embedding.md): a name, a zod schema for the input, one for
 * the output, and whether the command may be retried on another host after a host loss (docs/protocol.md#retry-on-host-loss).
 * One definition, shared by the launcher and the host, types both ends: `launcher.call` takes the
 * input type and resolves to the output type, and `runHost` types each handler from it.
 *
 * Runtime-free: zod only.
 */
import type { z } from 'zod'
import { COMMAND_NAMES, CONTROL_COMMAND_NAMES, EVENT_NAMES, HOST_INBOUND_NAMES } from './protocol-names'

/**
 * One command: its input (an object schema: its fields travel flattened on the wire) and output,
 * and optionally the schemas of its progress values and of its stream's chunks
 * (docs/protocol.md#streams).
 */
export interface CommandDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodType = z.ZodType> {
  /** The input's schema; must be a `z.object(…)` (strict and loose objects too). */
  readonly input: I
  /** The output's schema: the handler's return value is checked against it on the host. */
  readonly output: O
  /**
   * The command may be sent again to the next host when its host is lost while executing it
   * (docs/protocol.md#retry-on-host-loss): only for commands whose second execution does no harm. Default
   * false (at-most-once).
   */
  readonly retry?: boolean
  /**
   * The call's lane, from its input as parsed by `input`: calls with the same key, of any
   * command, run one at a time, in call order, on the same host (docs/parallel-work.md#keys).
   * Default: none (side by side). Typed by the command's own input in `defineCommands`
   * (`CommandDefinitionOf`); here, where any command's definition fits, its parameter is `never`.
   */
  readonly key?: (input: never) => string
  /**
   * The schema of the values the handler reports with `ctx.progress(value)`; the caller gets them
   * through `call(…, { onProgress })`. Without it, `ctx.progress` throws a TypeError.
   */
  readonly progress?: z.ZodType
  /**
   * The schema of each chunk: the command is a stream, its handler an async generator function
   * that yields chunks and returns the output, and the caller reads it with `launcher.stream`.
   */
  readonly stream?: z.ZodType
}

/**
 * One command as `defineCommands` takes it: `key` gets the input as `input` parses it, so
 * `key: (input) => input.user` needs no annotation and a field the input lacks is a compile error.
 */
export interface CommandDefinitionOf<I extends z.ZodObject> extends Omit<CommandDefinition<I>, 'key'> {
  /**
   * The call's lane, from its input as parsed by `input` (docs/parallel-work.md#keys): calls with
   * the same key, of any command, run one at a time, in call order, on the same host. Default:
   * none (side by side).
   */
  readonly key?: (input: z.output<I>) => string
}

/** Every command of an app, by name. */
export type CommandDefinitions = { readonly [name: string]: CommandDefinition }

/** The names `call` accepts for a set of definitions. */
export type CommandNameOf<D extends CommandDefinitions> = Extract<keyof D, string>
/** What `call(name, input)` takes: the input schema's input type. */
export type CommandInput<D extends CommandDefinitions, K extends CommandNameOf<D>> = z.input<D[K]['input']>
/** What `call(name, …)` resolves to: the output schema's parsed type. */
export type CommandOutput<D extends CommandDefinitions, K extends CommandNameOf<D>> = z.output<D[K]['output']>
/** The progress values of command `K` (its `progress` schema's parsed type), `never` without one. */
export type CommandProgress<D extends CommandDefinitions, K extends CommandNameOf<D>> = D[K] extends {
  readonly progress: infer P extends z.ZodType
}
  ? z.output<P>
  : never
/** The chunks of stream command `K` (its `stream` schema's parsed type), `never` for a plain command. */
export type CommandChunk<D extends CommandDefinitions, K extends CommandNameOf<D>> = D[K] extends {
  readonly stream: infer C extends z.ZodType
}
  ? z.output<C>
  : never
/** The commands whose definition gives `stream`: what `launcher.stream` takes. */
export type StreamCommandNameOf<D extends CommandDefinitions> = {
  [K in CommandNameOf<D>]: D[K] extends { readonly stream: z.ZodType } ? K : never
}[CommandNameOf<D>]
/** The commands without `stream`: what `launcher.call` takes. */
export type CallCommandNameOf<D extends CommandDefinitions> = Exclude<
  CommandNameOf<D>,
  StreamCommandNameOf<D>
>

/**
 * Names the protocol already uses: built-in commands, control commands, host → launcher frames
 * and events. An app command of one of these names would be read as the protocol's own frame.
 */
export const RESERVED_COMMAND_NAMES: ReadonlySet<string> = new Set<string>([
  ...COMMAND_NAMES,
  ...CONTROL_COMMAND_NAMES,
  ...HOST_INBOUND_NAMES,
  ...EVENT_NAMES,
])

/** Input fields that would collide with the command envelope on the wire (docs/embedding.md). */
export const RESERVED_INPUT_FIELDS: ReadonlySet<string> = new Set([
  'kind',
  'seq',
  'cmd',
  'saga_id',
  'deadline',
])

/**
 * `"input.cmd is reserved: …"` when `input` has one of RESERVED_INPUT_FIELDS as its own, else
 * undefined. A schema that keeps unknown keys (`z.looseObject`, a catchall) lets a caller pass one,
 * and the host would read it as the envelope's: another command, another saga, a bad frame.
 */
export function findReservedField(input: object, root: string): string | undefined {
  for (const field of RESERVED_INPUT_FIELDS)
    if (Object.hasOwn(input, field))
      return `${root}.${field} is reserved: kind, seq, cmd, saga_id and deadline travel in the envelope`
  return undefined
}

/** A command name: a letter, then up to 63 letters, digits, `_`, `.`, `:` or `-`. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/

/**
 * Checks a set of command definitions and returns it frozen, with its types kept exactly
 * (`as const`-like inference), for `createLauncher({ commands })` and `runHost({ commands })`.
 * Each `key` is typed by its own command's parsed input: `key: (input) => input.user`.
 *
 * Throws a TypeError naming the command and what is wrong when a name is not a plain identifier
 * (`/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/`), is reserved by the protocol (`register`, `ack`,
 * `cancel_saga`, `spawn_pool_window`, `report_result`, …: `RESERVED_COMMAND_NAMES`), when
 * `input` is not a zod object schema, when an input field is named `kind`, `seq`, `cmd`,
 * `saga_id` or `deadline` (`RESERVED_INPUT_FIELDS`), when `output` (or `progress` or `stream`,
 * when given) is not a zod schema, or when `retry` is not a boolean.
 *
 * @example
 * const commands = defineCommands({
 *   add: { input: z.object({ a: z.number(), b: z.number() }), output: z.object({ sum: z.number() }), retry: true },
 *   save: { input: z.object({ user: z.string(), doc: z.string() }), output: z.null(), key: (input) => input.user },
 * })
 * @category API
 */
export function defineCommands<
  // The input schemas are inferred on their own, before `D`: a context-sensitive `key` inside the
  // one inference of `D` would make it fall back to its constraint.
  const I extends { readonly [name: string]: z.ZodObject },
  const D extends { readonly [K in keyof I]: CommandDefinitionOf<I[K]> },
>(definitions: D & { readonly [K in keyof I]: CommandDefinitionOf<I[K]> }): D {
  if (typeof definitions !== 'object' || definitions === null || Array.isArray(definitions))
    throw new TypeError('defineCommands takes an object of command definitions, by name')
  const entries = Object.entries(definitions as CommandDefinitions)
  for (const [name, def] of entries) checkDefinition(name, def)
  for (const [, def] of entries) Object.freeze(def)
  return Object.freeze({ ...definitions })
}

function checkDefinition(name: string, def: CommandDefinition | undefined): void {
  const where = `command \`${name}\``
  if (!NAME_PATTERN.test(name)) throw new TypeError(`${where}: a name must match ${String(NAME_PATTERN)}`)
  if (RESERVED_COMMAND_NAMES.has(name))
    throw new TypeError(`${where}: the name is reserved by the hostpipe protocol`)
  if (typeof def !== 'object' || def === null)
    throw new TypeError(
      `${where}: the definition must be an object { input, output, retry?, progress?, stream? }`,
    )
  if (!isZodObject(def.input))
    throw new TypeError(`${where}: \`input\` must be a zod object schema (z.object({ … }))`)
  for (const field of Object.keys(def.input.shape))
    if (RESERVED_INPUT_FIELDS.has(field))
      throw new TypeError(
        `${where}: input field \`${field}\` is reserved (kind, seq, cmd, saga_id and deadline travel in the envelope)`,
      )
  if (!isZodSchema(def.output)) throw new TypeError(`${where}: \`output\` must be a zod schema`)
  for (const key of ['progress', 'stream'] as const)
    if (def[key] !== undefined && !isZodSchema(def[key]))
      throw new TypeError(`${where}: \`${key}\` must be a zod schema when given`)
  if (def.retry !== undefined && typeof def.retry !== 'boolean')
    throw new TypeError(`${where}: \`retry\` must be a boolean, got ${typeof def.retry}`)
  if (def.key !== undefined && typeof def.key !== 'function')
    throw new TypeError(`${where}: \`key\` must be a function (input) => string, got ${typeof def.key}`)
}

/** Whether `value` is a zod schema. Checked by shape, not `instanceof`: the app's zod and hostpipe's may be two copies of zod 4. */
export function isZodSchema(value: unknown): value is z.ZodType {
  if (typeof value !== 'object' || value === null) return false
  const internals = (value as { _zod?: { def?: { type?: unknown } } })._zod
  return typeof internals?.def?.type === 'string' && typeof (value as z.ZodType).safeParse === 'function'
}

function isZodObject(value: unknown): value is z.ZodObject {
  return isZodSchema(value) && value._zod.def.type === 'object'
}

/**
 * One line naming what was wrong with a value that failed `schema` (at most three fields), e.g.
 * "`a` must be number, got string". Used for `INVALID_COMMAND` and for a handler's bad output.
 */
export function describeSchemaError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.map(String).join('.')
      return path === '' ? issue.message : `\`${path}\`: ${issue.message}`
    })
    .join('; ')
}
