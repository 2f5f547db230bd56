export {
  HostPipe,
  PENDING_BUFFER_CAP,
  DISCONNECT_TIMEOUT_MS,
  MAX_IN_FLIGHT,
  REASON_OVERFLOW,
  REASON_EXPIRED,
  REASON_BEFORE_ACK,
  REASON_DISPOSED,
  type HostPipeOptions,
  type SagaCommandState,
} from './host-pipe'
export { HostPipeError, type HostPipeErrorCode } from './host-pipe-error'
export { systemClock, silentLogger, type HostWriter, type Clock, type Logger } from './ports'
export type { HostPipeSnapshot, HostPipeCounters } from '../../shared/diagnostics'
