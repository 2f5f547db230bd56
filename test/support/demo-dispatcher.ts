import {
  DefinedCommandDispatcher,
  type CommandHandlersOf,
} from '../../src/main/host/defined-command-dispatcher'
import { WindowPool, windowPoolHandlers } from '../../src/main/demo-host/window-pool'
import { agentMuxCommands } from '../../src/shared/agentmux-commands'

type AgentMuxHandlers = CommandHandlersOf<typeof agentMuxCommands>

/** The demo host's dispatcher (the AgentMux commands over a window pool), with handlers replaced. */
export function demoDispatcher(
  overrides: Partial<AgentMuxHandlers> = {},
  pool: WindowPool = new WindowPool(),
): DefinedCommandDispatcher<typeof agentMuxCommands> {
  return new DefinedCommandDispatcher(agentMuxCommands, { ...windowPoolHandlers(pool), ...overrides })
}
