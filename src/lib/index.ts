/**
 * `hostpipe`: the runtime-free part (no Node or Electron import), for any process: HostPipe and
 * its types, the errors, `defineCommands`, `defineEvents`, and the wire protocol
 * (docs/protocol.md, docs/host-pipe.md).
 *
 * @module hostpipe
 */
export {
  HostPipe,
  HostPipeError,
  PENDING_BUFFER_CAP,
  DISCONNECT_TIMEOUT_MS,
  MAX_IN_FLIGHT,
  REASON_OVERFLOW,
  REASON_EXPIRED,
  REASON_BEFORE_ACK,
  REASON_DISPOSED,
  systemClock,
  silentLogger,
  type HostPipeErrorCode,
  type HostPipeOptions,
  type HostPipeSnapshot,
  type HostPipeCounters,
  type HostWriter,
  type SagaFailure,
  type SagaCommandState,
  type Clock,
  type Logger,
  type Disposable,
  type Listenable,
} from '../main/host-pipe'
export { SagaFailedError } from '../shared/saga-failed-error'
export { HostStartError, type HostStartErrorCode } from '../shared/host-start-error'
export {
  defineCommands,
  RESERVED_COMMAND_NAMES,
  RESERVED_INPUT_FIELDS,
  type CommandDefinition,
  type CommandDefinitionOf,
  type CommandDefinitions,
  type CommandNameOf,
  type CommandInput,
  type CommandOutput,
  type CommandProgress,
  type CommandChunk,
  type StreamCommandNameOf,
  type CallCommandNameOf,
} from '../shared/define-commands'
export {
  defineEvents,
  type EventDefinitions,
  type EventNameOf,
  type EventPayload,
  type EventPayloadInput,
} from '../shared/define-events'
export * from '../shared/protocol'
export type {
  DiagnosticsSnapshot,
  DiagnosticsEvent,
  DiagnosticsAction,
  CommandStats,
  SagaTotals,
  TransportKind,
  PipeState,
} from '../shared/diagnostics'
