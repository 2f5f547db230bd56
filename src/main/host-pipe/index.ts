export { HostPipe } from './host-pipe'
export {
  PENDING_BUFFER_CAP,
  DISCONNECT_TIMEOUT_MS,
  MAX_IN_FLIGHT,
  REASON_OVERFLOW,
  REASON_EXPIRED,
  REASON_BEFORE_ACK,
  REASON_DISPOSED,
  DEFAULT_MAX_ATTEMPTS,
  reasonLostWhileExecuting,
  type HostPipeOptions,
  type SendCommandOptions,
  type SagaFailure,
} from './host-pipe-options'
export type { SagaCommandState } from './host-pipe'
export { HostPipeError, type HostPipeErrorCode } from './host-pipe-error'
export type { HostWriter } from './host-writer'
// The primitives live in base/ (every layer uses them); HostPipe's public surface keeps them.
export { systemClock, type Clock } from '../base/clock'
export { silentLogger, type Logger } from '../base/logger'
export type { Disposable } from '../base/disposable'
export type { Listenable } from '../base/emitter'
export type { HostPipeSnapshot, HostPipeCounters } from '../../shared/diagnostics'
