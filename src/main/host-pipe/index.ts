export { HostPipe } from './host-pipe'
export {
  REASON_OVERFLOW,
  REASON_EXPIRED,
  REASON_BEFORE_ACK,
  REASON_DISPOSED,
  reasonLostWhileExecuting,
  DEFAULT_MAX_ATTEMPTS,
  type SagaFailure,
} from './undelivered-frames'
export { PENDING_BUFFER_CAP, QueuedBytes, DISCONNECT_TIMEOUT_MS } from './pending-buffer'
export { CallHead, MAX_IN_FLIGHT, type SendCommandOptions, type SagaCommandState } from './outbound-frames'
export type { HostPipeOptions } from './host-pipe'
export { HostPipeError, type HostPipeErrorCode } from './host-pipe-error'
export type { HostWriter } from './writer-slot'
// The primitives live in base/ (every layer uses them); HostPipe's public surface keeps them.
export { systemClock, type Clock } from '../base/clock'
export { silentLogger, type Logger } from '../base/logger'
export type { Disposable } from '../base/disposable'
export type { Listenable } from '../base/emitter'
export type { HostPipeSnapshot, HostPipeCounters } from '../../shared/diagnostics'
