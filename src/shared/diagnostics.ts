/**
 * The diagnostics feed: what the launcher publishes about the pipe, and what the panel shows.
 * Shared by the launcher (producer), the preload bridge, the HTTP/SSE server and the renderer.
 * Runtime-free.
 */

/** Counters of one HostPipe. They only grow. */
export interface HostPipeCounters {
  /** Command frames written to a host. */
  sent: number
  /** Commands acknowledged by a host (cumulative acks count every command they cover). */
  acked: number
  /** Commands put in the pending buffer (host away, or `maxInFlight` reached). */
  buffered: number
  /** Buffered commands later handed to a writer. */
  drained: number
  /** Buffered commands dropped because the buffer was full (drop-oldest). */
  droppedOverflow: number
  /** Buffered commands dropped because the disconnect budget ran out. */
  droppedExpired: number
  /** Commands written but not acked when their host went away (never written again). */
  failedBeforeAck: number
  /** `saga_failed` events HostPipe emitted. */
  sagaFailed: number
  /** Writes the writer rejected. */
  writeFailures: number
  /** `sendEventForSession` calls refused with STALE_SESSION. */
  staleSession: number
  /** Acks for a seq that was not in flight (never sent, already acked, or from before a reconnect). */
  ignoredAcks: number
  /** Buffered commands removed by `cancelSaga` (or because their saga already failed). */
  cancelled: number
}

/** A fresh set of counters, all 0. */
export const zeroHostPipeCounters = (): HostPipeCounters => ({
  sent: 0,
  acked: 0,
  buffered: 0,
  drained: 0,
  droppedOverflow: 0,
  droppedExpired: 0,
  failedBeforeAck: 0,
  sagaFailed: 0,
  writeFailures: 0,
  staleSession: 0,
  ignoredAcks: 0,
  cancelled: 0,
})

export type CounterName = keyof HostPipeCounters

export const COUNTER_NAMES: readonly CounterName[] = [
  'sent',
  'acked',
  'buffered',
  'drained',
  'droppedOverflow',
  'droppedExpired',
  'failedBeforeAck',
  'sagaFailed',
  'writeFailures',
  'staleSession',
  'ignoredAcks',
  'cancelled',
]

export interface HostPipeSnapshot {
  connected: boolean
  /** Bumped by every `setWriter`; 0 until the first host connects. */
  sessionId: number
  /** Frames in the pending buffer. */
  pending: number
  capacity: number
  /** Commands written (or queued to be written) and not yet acked. */
  inFlight: number
  /** When the pipe last lost its host, in the pipe clock's time base; null while connected. */
  disconnectedAt: number | null
  /** When buffered frames expire, in the pipe clock's time base; null when no deadline runs. */
  expiresAt: number | null
  counters: HostPipeCounters
}

/**
 * What the panel's state badge shows. `unresponsive`: the host went silent past
 * `--unresponsive-ms` (docs/protocol.md#liveness) and is being replaced; it reads so until the replacement connects.
 */
export type PipeState = 'connected' | 'disconnected' | 'stopped' | 'gave-up' | 'unresponsive'

/**
 * A host's state in the feed's `hosts` rows: PipeState's values for its slot, and `busy` while it
 * is connected and its main thread has been blocked for `--unresponsive-ms` or more, its liveness
 * worker still answering (docs/launcher.md#busy-is-not-hung): not hung, not killed.
 */
export type HostState = PipeState | 'busy'

/** One slot's host, as the feed's `hosts` lists them. */
export interface HostRow {
  slot: number
  /** Its pid; null while no host runs in the slot. */
  pid: number | null
  state: HostState
  /** Commands written to it and not yet confirmed. */
  inFlight: number
  /** Replacements of the slot's host, promotions of a standby included (only grows). */
  restarts: number
}

export type TransportKind = 'pipe' | 'port'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface DiagnosticsEvent {
  /** Wall-clock epoch ms. */
  at: number
  level: LogLevel
  message: string
}

export interface SagaTotals {
  started: number
  completed: number
  failed: number
  inFlight: number
  /**
   * Reports for sagas that had already ended (docs/protocol.md#the-truth-list): a host did work its user had been
   * told was over. Should read 0; the panel shows it red when not.
   */
  lateReports: number
}

/**
 * One command's calls, as the panel's command table shows them. Latencies are from `saga_started`
 * to the saga's end (completed or failed), over the calls that ended in the last minute.
 */
export interface CommandStats {
  /** The command's name (`call(name, …)`, or an AgentMux `cmd`); OTHER_COMMANDS past the cap. */
  name: string
  /** Calls started (only grows). */
  calls: number
  /** Calls started and not yet ended. */
  running: number
  /** Calls that ended with `saga_failed` (only grows). */
  failed: number
  /** Median latency in ms; null when no call ended in the last minute. */
  p50Ms: number | null
  /** 99th-percentile latency in ms; null when no call ended in the last minute. */
  p99Ms: number | null
}

/** The launcher's streams (`launcher.stream`, docs/embedding.md#progress-streams-and-events). */
export interface StreamTotals {
  /** Streams started and not yet ended. */
  open: number
  /** Chunks received from hosts (only grows). */
  chunks: number
  /** Their frames' size as received (only grows): bytes, or characters for text frames. */
  bytes: number
}

/** The row that counts every command name past the first MAX_COMMAND_NAMES. */
export const OTHER_COMMANDS = '(other)'
/** Distinct command names with a row of their own; the rest share OTHER_COMMANDS. */
export const MAX_COMMAND_NAMES = 256

/** The whole feed: `GET /api/snapshot`, each SSE `snapshot` message, `pipeDiagnostics.getSnapshot()`. */
export interface DiagnosticsSnapshot extends HostPipeSnapshot {
  /** Slot 0's host's state; `busy` shows only in `hosts`. */
  state: PipeState
  hostPid: number | null
  /** One row per slot, slot 0 first. */
  hosts: HostRow[]
  /** Replacements of the active host, promotions of a standby included (only grows). */
  restarts: number
  /** Standby hosts registered and ready to take over (docs/launcher.md). */
  standby: number
  /** Their pids, oldest (next to be promoted) first. */
  standbyPids: number[]
  /** Standbys promoted because the active host was lost (only grows). */
  failovers: number
  transport: TransportKind
  socketPath: string | null
  sagas: SagaTotals
  /** Wall-clock epoch ms when the snapshot was taken. */
  at: number
  /** Ms left of the disconnect budget; null when no deadline runs. */
  expiresInMs: number | null
  /** One row per command name called so far, in order of first call, OTHER_COMMANDS last. */
  commands: CommandStats[]
  /** The launcher's streams: open now, chunks and bytes received. */
  streams: StreamTotals
  /**
   * App events (`report_event`) dropped at the launcher (only grows): from a standby or a host
   * already written off, of a name the launcher's `events` do not define, or failing its schema.
   */
  eventsDropped: number
  /** Most recent last, bounded ring. */
  events: DiagnosticsEvent[]
  /**
   * The panel actions this front end allows (`startDiagnosticsServer`/`openDiagnosticsWindow`
   * option `actions`), set by the server and the window; absent from `launcher.diagnostics()`.
   * The panel hides the buttons of the others; absent means none.
   */
  actions?: DiagnosticsAction[]
}

export type DiagnosticsAction = 'kill-host' | 'stop-host' | 'start-host' | 'burst'

export const DIAGNOSTICS_ACTIONS: readonly DiagnosticsAction[] = [
  'kill-host',
  'stop-host',
  'start-host',
  'burst',
]

/**
 * Optional request header of `POST /api/actions/*`: the moment (epoch ms, on the launcher's own
 * clock: client and server share the machine) after which the action must not run. The server
 * refuses a later arrival (409), so an action the browser held back is never run late.
 */
export const ACTION_DEADLINE_HEADER = 'Hostpipe-Deadline'

/**
 * Why an action was refused, where the refusal has a fixed meaning: `BAD_REQUEST`, its body was
 * wrong (HTTP 400); `NO_SUCH_HOST`, `kill-host` named a slot the launcher does not have (HTTP 404).
 * Other refusals (no host process to kill, an action not allowed) carry no code.
 */
export type ActionErrorCode = 'BAD_REQUEST' | 'NO_SUCH_HOST'

/** What an action answers: `{ok:true,…}` with 202, or `{error}` with a 4xx. */
export type ActionResult =
  | { ok: true; action: DiagnosticsAction; detail?: string }
  | { ok: false; error: string; code?: ActionErrorCode }

/**
 * An action's JSON body, unchecked: `burst` reads `count` (an integer from 1 to MAX_BURST),
 * `kill-host` reads `slot` (a non-negative integer, default 0); the other actions read nothing.
 */
export interface ActionBody {
  count?: unknown
  slot?: unknown
}

/** The preload bridge, `window.pipeDiagnostics`, in Electron. */
export interface PipeDiagnosticsApi {
  getSnapshot(): Promise<DiagnosticsSnapshot>
  /** Calls `cb` with each new snapshot; returns the unsubscribe function. */
  subscribe(cb: (snapshot: DiagnosticsSnapshot) => void): () => void
  /** Calls `cb` once the launcher has stopped (no snapshot follows); returns the unsubscribe. */
  onLauncherGone(cb: () => void): () => void
  /** SIGKILLs the host in `slot` (default 0); the supervisor replaces it. */
  killHost(slot?: number): Promise<ActionResult>
  stopHost(): Promise<ActionResult>
  startHost(): Promise<ActionResult>
  burst(count: number): Promise<ActionResult>
}

/** Upper bound for one `burst` action. */
export const MAX_BURST = 100_000
