import type { FrameConnection } from './frame-connection'
import type { OnceEmitter } from '../base/once-emitter'
import type { TimerSlot } from '../base/timer-slot'

/** A registered host as the launcher server reports it (to the supervisor, in its events). */
export interface RegisteredHost {
  clientId: number
  /** The pid it claims (for logs; never trusted for signals). */
  pid: number
  sessionId: number
  /** Its `register.features`. */
  features: readonly string[]
  /** Its `register.spawn_id`: matches the supervisor's spawn id when the launcher spawned it. */
  spawnId: string | undefined
  /** The pool slot whose pipe it owns (0 without a pool). */
  slot: number
}

/** A connection that has not registered yet: it may only send `register`, before its timer fires. */
export interface PendingClient {
  readonly role: 'unregistered'
  readonly conn: FrameConnection
  readonly registerTimer: TimerSlot
  isClosed: boolean
}

/** The registered host that owns (or owned) the pipe. */
export interface HostClient {
  readonly role: 'host'
  readonly conn: FrameConnection
  readonly clientId: number
  readonly pid: number
  readonly sessionId: number
  readonly features: readonly string[]
  readonly spawnId: string | undefined
  /** The pool slot whose pipe it owns. */
  readonly slot: number
  /** Still fanning events out (stops quietly on STALE_SESSION). */
  isFanoutActive: boolean
  /** It registered with `per_call_ack`: a report carrying `seq` is that command's ack. */
  readonly hasPerCallAcks: boolean
  /** A newer host registered: its acks and reports belong to a session that is over. */
  isReplaced: boolean
  /** Its connection closed (shared with the standby it was promoted from: one connection). */
  readonly didClose: OnceEmitter<string>
  isClosed: boolean
}

/** A registered standby host: idle, given nothing, until promoted to the host client. */
export interface StandbyClient {
  readonly role: 'standby'
  readonly conn: FrameConnection
  readonly clientId: number
  readonly pid: number
  readonly features: readonly string[]
  readonly spawnId: string | undefined
  /** Once promoted, its frames and its close belong to this host client. */
  promotedTo: HostClient | undefined
  readonly didClose: OnceEmitter<string>
  isClosed: boolean
}

/** A registered tool: it gets every event (see ToolFanout) and may send `ping` and `goodbye`. */
export interface ToolClient {
  readonly role: 'tool'
  readonly conn: FrameConnection
  readonly clientId: number
  readonly pid: number
  isClosed: boolean
}

/** One connection and what the server knows of it; `register` turns a pending client into the others. */
export type LauncherClient = PendingClient | HostClient | ToolClient | StandbyClient

/** The host client as its events report it. */
export const registeredOf = (host: HostClient): RegisteredHost => ({
  clientId: host.clientId,
  pid: host.pid,
  sessionId: host.sessionId,
  features: host.features,
  spawnId: host.spawnId,
  slot: host.slot,
})
