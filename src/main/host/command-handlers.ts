import {
  sagaIdOf,
  type Command,
  type CommandName,
  type HostCommand,
  type ReportUiThreadAlive,
  type SagaReport,
} from '../../shared/protocol-core'
import { WindowPool } from './window-pool'

/** What executing a command reports back to the launcher. */
export type HostReport = SagaReport | ReportUiThreadAlive

/**
 * What a handler gets beside its command (ARCHITECTURE §8, §9): `signal` fires at the command's
 * deadline (`reason` a `TimeoutError` DOMException) or on `cancel_saga` (an `AbortError`); a
 * handler that gives up when it fires should throw (or reject) with `signal.reason`. `deadline`
 * is wall-clock epoch ms, undefined for a command without one; `sagaId` is 0 without a saga.
 */
export interface HandlerContext {
  signal: AbortSignal
  deadline: number | undefined
  sagaId: number
}

/** Executes one command; may be async. Throwing (or rejecting) fails the command's saga. */
export type CommandHandler<C extends Command = Command> = (
  cmd: C,
  ctx: HandlerContext,
) => HostReport | undefined | Promise<HostReport | undefined>

/** What the executor runs commands through: the built-in registry, or one with app commands (§9). */
export interface CommandDispatcher {
  /** Runs the command's handler; throws (or rejects) when it fails or none exists. */
  handle(cmd: HostCommand, ctx?: HandlerContext): ReturnType<CommandHandler>
}

const IDLE_SIGNAL = new AbortController().signal

type HandlerMap = { [K in CommandName]: CommandHandler<Extract<Command, { cmd: K }>> }

/**
 * Which code runs for which command. Every command has a handler: the registry starts from the
 * defaults and `set` replaces one, so a host (or a test) swaps in its own behaviour.
 */
export class CommandHandlers implements CommandDispatcher {
  private readonly handlers: HandlerMap

  constructor(pool: WindowPool = new WindowPool()) {
    this.handlers = defaultHandlers(pool)
  }

  set<K extends CommandName>(name: K, handler: CommandHandler<Extract<Command, { cmd: K }>>): this {
    ;(this.handlers as Record<CommandName, unknown>)[name] = handler
    return this
  }

  /** Runs the command's handler. Without `ctx`: a signal that never fires, no deadline. */
  handle(cmd: HostCommand, ctx?: HandlerContext): ReturnType<CommandHandler> {
    if (!Object.prototype.hasOwnProperty.call(this.handlers, cmd.cmd))
      throw new Error(`no handler for command \`${cmd.cmd}\``)
    return (this.handlers[cmd.cmd as CommandName] as CommandHandler)(
      cmd as Command,
      ctx ?? { signal: IDLE_SIGNAL, deadline: undefined, sagaId: sagaIdOf(cmd) ?? 0 },
    )
  }
}

/** The default handlers model a window pool. */
function defaultHandlers(pool: WindowPool): HandlerMap {
  return {
    spawn_pool_window: (cmd) => ({
      cmd: 'report_pool_window_added',
      label: pool.add(),
      saga_id: cmd.saga_id ?? 0,
    }),
    reap_panes: (cmd) => {
      pool.reapPanes(cmd.label)
      return { cmd: 'report_panes_reaped', label: cmd.label, saga_id: cmd.saga_id ?? 0 }
    },
    drain_pool_if_last: (cmd) => ({
      cmd: 'report_pool_drain_decision',
      label: cmd.label,
      was_last: pool.drainIfLast(cmd.label),
      saga_id: cmd.saga_id ?? 0,
    }),
    probe_ui_thread: (cmd) => ({ cmd: 'report_ui_thread_alive', nonce: cmd.nonce }),
  }
}
