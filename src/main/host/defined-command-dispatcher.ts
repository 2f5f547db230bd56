import type { z } from 'zod'
import {
  describeSchemaError,
  type CommandDefinition,
  type CommandDefinitions,
} from '../../shared/define-commands'
import { RESERVED_INPUT_FIELDS } from '../../shared/define-commands'
import type { CustomCommand, HostCommand } from '../../shared/protocol-core'
import { CommandHandlers, type CommandDispatcher, type HandlerContext } from './command-handlers'

/**
 * What an app's handler gets beside its input (ARCHITECTURE §9): `signal` fires at the saga's
 * deadline (`reason`: a `TimeoutError` DOMException) or when the caller cancels the saga (an
 * `AbortError`); `deadline` is that moment in wall-clock epoch ms (`Infinity` for a command sent
 * without a saga); `sagaId` is the saga's id (0 without one).
 */
export interface CommandContext {
  readonly signal: AbortSignal
  readonly deadline: number
  readonly sagaId: number
}

/**
 * The handler of one defined command: takes the parsed input, returns the output (or a promise of
 * it), which is checked against the command's `output` schema. Throwing (or rejecting) fails the
 * saga with the error's message as its reason.
 */
export type CommandHandlerOf<D extends CommandDefinitions, K extends keyof D> = (
  input: z.output<D[K]['input']>,
  ctx: CommandContext,
) => z.input<D[K]['output']> | Promise<z.input<D[K]['output']>>

/** One handler per defined command, by name. */
export type CommandHandlersOf<D extends CommandDefinitions> = { [K in keyof D]: CommandHandlerOf<D, K> }

/**
 * Runs the built-in AgentMux commands through the built-in registry and an app's defined
 * commands through its handlers: the input (the frame's fields beside the envelope) is parsed by
 * the command's `input` schema, the handler runs, its output is parsed by `output` and reported as
 * `report_result{saga_id, output}`. A bad input or output throws, so the executor reports
 * `report_saga_action_failed` with a reason naming the field.
 */
export class DefinedCommandDispatcher<D extends CommandDefinitions> implements CommandDispatcher {
  /** The defined command names, for `parseHostBound`. */
  readonly names: ReadonlySet<string>

  constructor(
    private readonly definitions: D,
    private readonly handlers: CommandHandlersOf<D>,
    private readonly builtIns: CommandDispatcher = new CommandHandlers(),
  ) {
    for (const name of Object.keys(definitions))
      if (typeof (handlers as Record<string, unknown>)[name] !== 'function')
        throw new TypeError(`runHost: no handler for command \`${name}\``)
    for (const name of Object.keys(handlers))
      if (!Object.prototype.hasOwnProperty.call(definitions, name))
        throw new TypeError(`runHost: handler \`${name}\` has no command definition`)
    this.names = new Set(Object.keys(definitions))
  }

  handle(cmd: HostCommand, ctx?: HandlerContext): ReturnType<CommandDispatcher['handle']> {
    if (!this.names.has(cmd.cmd)) return this.builtIns.handle(cmd, ctx)
    const name = cmd.cmd as keyof D & string
    const def = this.definitions[name]!
    const parsed = def.input.safeParse(inputOf(cmd as CustomCommand))
    if (!parsed.success)
      throw new Error(`invalid input for \`${name}\`: ${describeSchemaError(parsed.error)}`)
    const handler = this.handlers[name] as (input: unknown, ctx: CommandContext) => unknown
    const sagaId = ctx?.sagaId ?? 0
    const result = handler(parsed.data, new HandlerContextView(ctx, sagaId))
    if (!(result instanceof Promise)) return toReport(name, def, sagaId, result)
    return result.then((value) => toReport(name, def, sagaId, value))
  }
}

/**
 * `CommandContext` over the executor's context, without reading its signal until the handler does
 * (a handler that never looks at it costs no AbortController).
 */
class HandlerContextView implements CommandContext {
  readonly deadline: number

  constructor(
    private readonly ctx: HandlerContext | undefined,
    readonly sagaId: number,
  ) {
    this.deadline = ctx?.deadline ?? Number.POSITIVE_INFINITY
  }

  get signal(): AbortSignal {
    return this.ctx?.signal ?? new AbortController().signal
  }
}

/** The handler's output, checked by the command's `output` schema, as `report_result`. */
function toReport(
  name: string,
  def: CommandDefinition,
  sagaId: number,
  value: unknown,
): { cmd: 'report_result'; saga_id: number; output: unknown } {
  const output = def.output.safeParse(value)
  if (!output.success)
    throw new Error(`output of \`${name}\` is invalid: ${describeSchemaError(output.error)}`)
  return { cmd: 'report_result', saga_id: sagaId, output: output.data }
}

/** The frame's fields beside the envelope: the command's input. */
function inputOf(cmd: CustomCommand): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const key of Object.keys(cmd)) if (!RESERVED_INPUT_FIELDS.has(key)) input[key] = cmd[key]
  return input
}
