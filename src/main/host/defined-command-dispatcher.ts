import type { z } from 'zod'
import {
  AGENTMUX_COMMAND_NAMES,
  agentMuxAdapterOf,
  type AgentMuxAdapter,
} from '../../shared/agentmux-commands'
import {
  describeSchemaError,
  RESERVED_INPUT_FIELDS,
  type CommandDefinition,
  type CommandDefinitions,
} from '../../shared/define-commands'
import type { EventDefinitions, EventNameOf, EventPayloadInput } from '../../shared/define-events'
import type {
  CustomCommand,
  HostCommand,
  ProbeUiThread,
  ReportResult,
  ReportUiThreadAlive,
  SagaReport,
} from '../../shared/protocol-core'
import { findUnencodable, schemaOutputTravels } from '../../shared/wire-value'
import { findUnencodableValue, HandlerChannel } from './handler-channel'
import { StreamPump } from './stream-pump'

/** What executing a command reports back to the launcher. */
export type HostReport = SagaReport | ReportUiThreadAlive

/**
 * What the executor hands a dispatcher beside the command (docs/protocol.md): `signal` fires at
 * the command's deadline (`reason` a `TimeoutError` DOMException) or on `cancel_saga` (an
 * `AbortError`); `deadline` is wall-clock epoch ms, undefined for a command without one;
 * `sagaId` is 0 without a saga.
 */
export interface HandlerContext {
  readonly signal: AbortSignal
  readonly deadline: number | undefined
  readonly sagaId: number
}

/** What the executor runs commands through. */
export interface CommandDispatcher {
  /** Runs the command's handler; throws (or rejects) when it fails or the host does not define it. */
  handle(cmd: HostCommand, ctx: HandlerContext): HostReport | Promise<HostReport>
  /**
   * Whether the command runs one at a time, in arrival order, among the commands for which this
   * is true (the AgentMux commands); any other may run beside whatever else runs.
   */
  keepsArrivalOrder(cmd: HostCommand): boolean
}

const AGENTMUX_NAMES: ReadonlySet<string> = new Set(AGENTMUX_COMMAND_NAMES)

/**
 * What an app's handler gets beside its input: `signal` fires at the saga's deadline (`reason`:
 * a `TimeoutError` DOMException) or when the caller cancels the saga (an `AbortError`);
 * `deadline` is that moment in wall-clock epoch ms (`Infinity` for a command sent without a
 * saga); `sagaId` is the saga's id (0 without one). `P`: the command's progress values (`never`
 * without a `progress` schema); `E`: the app's events (`runHost({ events })`).
 */
export interface CommandContext<P = never, E extends EventDefinitions = NoEvents> {
  readonly signal: AbortSignal
  readonly deadline: number
  readonly sagaId: number
  /**
   * Reports progress to the caller (`call(…, { onProgress })`), sent at once. Throws a TypeError
   * when the command has no `progress` schema, or the value fails it or cannot travel. Ignored
   * once the handler has returned.
   */
  progress(value: P): void
  /**
   * Emits app event `name` (docs/protocol.md#streams): sent at once, so before this handler's
   * report. Throws a TypeError when the event is not defined or the payload fails its schema.
   */
  emit<N extends EventNameOf<E>>(name: N, payload: EventPayloadInput<E, N>): void
}

/** The events of a host given none. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type NoEvents = {}

/** What `ctx.progress` takes for command `K`: its `progress` schema's input type, `never` without one. */
export type ProgressInputOf<D extends CommandDefinitions, K extends keyof D> = D[K] extends {
  readonly progress: infer P extends z.ZodType
}
  ? z.input<P>
  : never

/**
 * The handler of one defined command: takes the parsed input, returns the output (or a promise of
 * it), which is checked against the command's `output` schema. Throwing (or rejecting) fails the
 * saga; the reason is the thrown value's `message` (see `describeThrown`).
 *
 * A stream command's handler (its definition gives `stream`) is an async generator function
 * instead: each chunk it yields is checked by `stream` and sent, and what it returns is the
 * output: `async function* (input, ctx) { yield chunk; return output }`.
 */
export type CommandHandlerOf<
  D extends CommandDefinitions,
  K extends keyof D,
  E extends EventDefinitions = NoEvents,
> = D[K] extends { readonly stream: infer C extends z.ZodType }
  ? (
      input: z.output<D[K]['input']>,
      ctx: CommandContext<ProgressInputOf<D, K>, E>,
    ) => AsyncGenerator<z.input<C>, z.input<D[K]['output']>, undefined>
  : (
      input: z.output<D[K]['input']>,
      ctx: CommandContext<ProgressInputOf<D, K>, E>,
    ) => z.input<D[K]['output']> | Promise<z.input<D[K]['output']>>

/** One handler per defined command, by name. */
export type CommandHandlersOf<D extends CommandDefinitions, E extends EventDefinitions = NoEvents> = {
  [K in keyof D]: CommandHandlerOf<D, K, E>
}

type AnyHandler = (input: unknown, ctx: CommandContext<unknown, EventDefinitions>) => unknown

interface ServedCommand {
  readonly def: CommandDefinition
  readonly adapter: AgentMuxAdapter | undefined
  /** `def.input` parses the command itself: see {@link parsesCommand}. */
  readonly parsesCommand: boolean
}

/** The reason a command fails with when this host has no definition of it. */
export function notDefinedReason(name: string): string {
  return `host does not define command \`${name}\``
}

/**
 * Runs the commands a host was given, and only those: the frame's fields beside the envelope are
 * the input, parsed by the command's `input` schema; the handler runs; its output is parsed by
 * `output`, checked to be something the wire carries (`findUnencodable`), and reported as
 * `report_result{saga_id, output}`. An AgentMux definition (`agentMuxCommands`) is reported in
 * its own report frame instead, by its adapter; its input is not parsed again, since the
 * protocol's parsers check those commands' fields, and that keeps zod out of a host that serves
 * only them. `probe_ui_thread` sent as a command is answered here, as the protocol's own.
 *
 * Throws (so the executor reports `report_saga_action_failed`) with a reason naming the field
 * for a bad input or output, and `host does not define command \`NAME\`` for any other name.
 */
export class DefinedCommandDispatcher<
  D extends CommandDefinitions,
  E extends EventDefinitions = NoEvents,
> implements CommandDispatcher {
  /** What each defined command needs per call, looked up once (definitions are frozen). */
  private readonly served = new Map<string, ServedCommand>()

  /**
   * @param channel where progress, chunks and events go (docs/protocol.md#streams); without one,
   *   `ctx.progress` and `ctx.emit` throw and stream commands fail.
   */
  constructor(
    definitions: D,
    private readonly handlers: CommandHandlersOf<D, E>,
    private readonly channel: HandlerChannel = new HandlerChannel(undefined),
  ) {
    for (const name of Object.keys(definitions))
      if (typeof (handlers as Record<string, unknown>)[name] !== 'function')
        throw new TypeError(`runHost: no handler for command \`${name}\``)
    for (const name of Object.keys(handlers))
      if (!Object.prototype.hasOwnProperty.call(definitions, name))
        throw new TypeError(`runHost: handler \`${name}\` has no command definition`)
    for (const name of Object.keys(definitions)) {
      const def: CommandDefinition = definitions[name]!
      const adapter = agentMuxAdapterOf(def)
      // An AgentMux definition's schemas load with zod, which such a host may never need.
      this.served.set(name, {
        def,
        adapter,
        parsesCommand: adapter === undefined && parsesCommand(def.input),
      })
    }
  }

  /** The AgentMux commands by name, and any definition with an AgentMux adapter. */
  keepsArrivalOrder(cmd: HostCommand): boolean {
    const name = cmd.cmd
    if (AGENTMUX_NAMES.has(name)) return true
    return this.served.get(name)?.adapter !== undefined
  }

  handle(cmd: HostCommand, ctx: HandlerContext): HostReport | Promise<HostReport> {
    const name = cmd.cmd
    const served = this.served.get(name)
    if (served === undefined) {
      if (name === 'probe_ui_thread')
        return { cmd: 'report_ui_thread_alive', nonce: (cmd as ProbeUiThread).nonce }
      throw new Error(notDefinedReason(name))
    }
    const def = served.def
    const handler = this.handlers[name] as AnyHandler
    const adapter = served.adapter
    const sagaId = ctx.sagaId
    const context = new HandlerContextView(ctx, name, def, this.channel)
    if (adapter) {
      const result = handler(inputOf(cmd as CustomCommand), context)
      if (!(result instanceof Promise)) return adapter.toReport(sagaId, result)
      return result.then((value) => adapter.toReport(sagaId, value))
    }
    const parsed = def.input.safeParse(served.parsesCommand ? cmd : inputOf(cmd as CustomCommand))
    if (!parsed.success)
      throw new Error(`invalid input for \`${name}\`: ${describeSchemaError(parsed.error)}`)
    let result: unknown
    try {
      result = handler(parsed.data, context)
    } catch (err) {
      context.end()
      throw err
    }
    if (def.stream !== undefined) return this.pump(name, def, def.stream, ctx, context, result)
    if (!(result instanceof Promise)) {
      context.end()
      return toResult(name, def, sagaId, result)
    }
    return result.then(
      (value) => {
        context.end()
        return toResult(name, def, sagaId, value)
      },
      (err: unknown) => {
        context.end()
        throw err
      },
    )
  }

  /** A stream command: its generator runs paced by the launcher's credit; its return value is the output. */
  private async pump(
    name: string,
    def: CommandDefinition,
    chunkSchema: z.ZodType,
    ctx: HandlerContext,
    context: HandlerContextView,
    generator: unknown,
  ): Promise<ReportResult> {
    if (!isAsyncGenerator(generator)) {
      context.end()
      throw new Error(`handler of stream command \`${name}\` must be an async generator function`)
    }
    const sagaId = ctx.sagaId
    const pump = new StreamPump({
      generator,
      window: this.channel.streamWindow,
      signal: ctx.signal,
      checkChunk: (chunk, index) => {
        const parsed = chunkSchema.safeParse(chunk)
        if (!parsed.success)
          throw new Error(`chunk ${index} of \`${name}\` is invalid: ${describeSchemaError(parsed.error)}`)
        const unencodable = findUnencodableValue(parsed.data, 'chunk')
        if (unencodable !== undefined) throw new Error(`chunk ${index} is not encodable: ${unencodable}`)
        return parsed.data
      },
      sendChunk: (chunk) => this.channel.send({ cmd: 'report_chunk', saga_id: sagaId, chunk }),
    })
    const removeStream = this.channel.addStream(sagaId, pump)
    try {
      return toResult(name, def, sagaId, await pump.run())
    } finally {
      removeStream()
      context.end()
    }
  }
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown, unknown, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncGenerator).next === 'function' &&
    typeof (value as AsyncGenerator).return === 'function' &&
    typeof (value as AsyncGenerator)[Symbol.asyncIterator] === 'function'
  )
}

/** `CommandContext` over the executor's, reading its signal only when the handler does. */
class HandlerContextView implements CommandContext<unknown, EventDefinitions> {
  readonly deadline: number
  readonly sagaId: number
  /** The handler returned (or its stream ended): a late progress value has nobody to go to. */
  private isEnded = false

  constructor(
    private readonly ctx: HandlerContext,
    private readonly name: string,
    private readonly def: CommandDefinition,
    private readonly channel: HandlerChannel,
  ) {
    this.deadline = ctx.deadline ?? Number.POSITIVE_INFINITY
    this.sagaId = ctx.sagaId
  }

  get signal(): AbortSignal {
    return this.ctx.signal
  }

  progress(value: unknown): void {
    const where = `progress of \`${this.name}\``
    const schema = this.def.progress
    if (schema === undefined)
      throw new TypeError(`${where}: the command has no \`progress\` schema in its definition`)
    const parsed = schema.safeParse(value)
    if (!parsed.success) throw new TypeError(`${where} is invalid: ${describeSchemaError(parsed.error)}`)
    const unencodable = findUnencodableValue(parsed.data, 'value')
    if (unencodable !== undefined) throw new TypeError(`${where} is not encodable: ${unencodable}`)
    if (this.isEnded) return
    const failure = this.channel.send({ cmd: 'report_progress', saga_id: this.sagaId, value: parsed.data })
    if (failure !== undefined) throw new TypeError(`${where}: the value ${failure}`)
  }

  emit(name: string, payload: unknown): void {
    this.channel.emit(name, payload)
  }

  end(): void {
    this.isEnded = true
  }
}

/** The handler's output, checked by the command's `output` schema and by the wire's rules. */
function toResult(name: string, def: CommandDefinition, sagaId: number, value: unknown): ReportResult {
  const output = def.output.safeParse(value)
  if (!output.success)
    throw new Error(`output of \`${name}\` is invalid: ${describeSchemaError(output.error)}`)
  // Not walked when the schema shows every value it gives travels.
  const unencodable = schemaOutputTravels(def.output) ? undefined : findUnencodable(output.data, 'output')
  if (unencodable !== undefined) throw new Error(`output is not encodable: ${unencodable}`)
  return { cmd: 'report_result', saga_id: sagaId, output: output.data }
}

/**
 * Whether `input` gives the same result for the whole command as for its fields beside the
 * envelope (`inputOf`), so the copy can be skipped: a plain `z.object` strips the keys it does not
 * know without reading them, and none of its keys is an envelope field. A strict or loose object
 * (a catchall) sees every key, and is given the copy.
 */
function parsesCommand(input: z.ZodObject): boolean {
  // A host given definitions without defineCommands' checks may hold another schema (a transform).
  if (input._zod.def.type !== 'object' || input._zod.def.catchall !== undefined) return false
  for (const key of Object.keys(input.shape)) if (RESERVED_INPUT_FIELDS.has(key)) return false
  return true
}

/** The frame's fields beside the envelope: the command's input. */
function inputOf(cmd: CustomCommand): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const key of Object.keys(cmd)) if (!RESERVED_INPUT_FIELDS.has(key)) input[key] = cmd[key]
  return input
}
