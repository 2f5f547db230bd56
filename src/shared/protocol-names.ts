/**
 * Every name of each frame union, in the order error messages list them: what a parser lists when
 * it refuses an unknown name, and what `defineCommands` reserves. Apart from the frame types
 * because a call never reads them: only a refused frame or an app defining its commands does.
 * Leaving a name out is a compile error. Runtime-free, no zod.
 */
import type { CommandName, ControlCommand, EventName, HostInboundName } from './protocol-core'

/** Checks at compile time that a list names every member of the union `T`. */
function exhaustive<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : never)): T[] =>
    list as unknown as T[]
}

/** Every `cmd` a host or tool may send, in the order error messages list them. */
export const HOST_INBOUND_NAMES = exhaustive<HostInboundName>()([
  'register',
  'ack',
  'report_pool_window_added',
  'report_panes_reaped',
  'report_pool_drain_decision',
  'report_saga_action_failed',
  'report_result',
  'report_progress',
  'report_chunk',
  'report_event',
  'report_ui_thread_alive',
  'report_main_thread',
  'ping',
  'goodbye',
])

export const COMMAND_NAMES = exhaustive<CommandName>()([
  'spawn_pool_window',
  'reap_panes',
  'drain_pool_if_last',
  'probe_ui_thread',
])

/** The commands that may travel without `seq` (docs/protocol.md#control-frames). */
export const CONTROL_COMMAND_NAMES = exhaustive<ControlCommand['cmd']>()([
  'probe_ui_thread',
  'cancel_saga',
  'stream_credit',
])

export const EVENT_NAMES = exhaustive<EventName>()([
  'registered',
  'saga_started',
  'saga_completed',
  'saga_failed',
  'pool_window_added',
  'panes_reaped',
  'pool_drained',
  'pool_not_last',
  'pong',
  'error',
])
