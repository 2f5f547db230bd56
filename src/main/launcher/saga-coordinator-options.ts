import type { Clock } from '../base/clock'
import type { Logger } from '../base/logger'
import type { HostPipe } from '../host-pipe'
import type { LauncherEvents } from './launcher-events'

/** What the coordinator uses of HostPipe. */
export type SagaPipe = Pick<
  HostPipe,
  | 'sendCommand'
  | 'cancelSaga'
  | 'snapshot'
  | 'onDidChange'
  | 'onDidFailSaga'
  | 'maxInFlight'
  | 'sagaCommandState'
  | 'sendControl'
>
/** What the coordinator uses of the launcher's event bus: it publishes there, never listens. */
export type SagaEventBus = Pick<LauncherEvents, 'emit' | 'nextVersion'>

/** How a `SagaCoordinator` is put together. Every option but `pipe` and `events` has a default. */
export interface SagaCoordinatorOptions {
  /** The pipe its commands go through; its `onDidFailSaga` closes sagas here. */
  pipe: SagaPipe
  /** Where saga events are published. */
  events: SagaEventBus
  clock?: Clock
  /** The wall clock a command's `deadline` is stated in (epoch ms, §8). Default Date.now. */
  wallNow?: () => number
  /**
   * Whether the connected host registered with feature `"deadline"`. Its in-flight commands are
   * then left to its verdict when their saga times out. Default: never (AgentMux behaviour).
   */
  hostHonoursDeadlines?: () => boolean
  /** Default SAGA_TIMEOUT_MS. */
  sagaTimeoutMs?: number
  /** Sagas waiting to be issued; beyond this a new saga fails at once. Default MAX_BURST. */
  maxBacklog?: number
  log?: Logger
}
