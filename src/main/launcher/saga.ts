import type { SagaReport } from '../../shared/protocol'

/**
 * The saga commands, without their saga id (the coordinator assigns it): the three built-in ones,
 * or an app-defined command (§9) by `name`, whose `input` fields (already validated) travel
 * flattened beside `cmd`, `saga_id` and `deadline`.
 */
export type SagaRequest =
  | { cmd: 'spawn_pool_window' }
  | { cmd: 'reap_panes'; label: string }
  | { cmd: 'drain_pool_if_last'; label: string }
  | { cmd: 'custom'; name: string; input: Readonly<Record<string, unknown>> }

/** Per-saga options of `startSaga`. */
export interface StartSagaOptions {
  /** This saga's timeout in ms, counted from when it is issued. Default: `sagaTimeoutMs`. */
  timeoutMs?: number
  /** Called once when the saga ends, after its terminal event is published (for `call`, §9). */
  onEnd?(end: SagaEnd): void
  /**
   * Called when its timeout passes while it is still open (it then fails, or is left to a
   * deadline-aware host's verdict): its caller stops waiting (§9).
   */
  onTimeout?(): void
  /**
   * Retry its command on host loss (§8; HostPipe's `sendCommand(cmd, {retry})`). Default: whether
   * its kind is in RETRYABLE_COMMANDS (false for app-defined commands, whose definition's `retry`
   * flag is passed here by `call`).
   */
  retry?: boolean
}

/** How a saga ended, for whoever started it (the event bus carries the same in events). */
export type SagaEnd = { ok: true; output: unknown } | { ok: false; reason: string }

/**
 * The built-in AgentMux kinds retried on host loss (ARCHITECTURE §8): the ones safe to run twice.
 * `reap_panes` and `drain_pool_if_last` act on a label and are idempotent: reaping panes already
 * reaped, or draining a pool already drained, changes nothing, and a new host judges "last" on its
 * own pool. `spawn_pool_window` is not: run twice it opens two windows, so it stays at-most-once.
 */
export const RETRYABLE_COMMANDS: ReadonlySet<Exclude<SagaRequest['cmd'], 'custom'>> = new Set([
  'reap_panes',
  'drain_pool_if_last',
])

/** The per-saga options of `startSaga` under their earlier name. */
export type SagaOptions = StartSagaOptions

/** One started saga as the coordinator keeps it until its terminal event. */
export interface Saga {
  readonly id: number
  readonly request: SagaRequest
  /** ms from issue to its timeout. */
  readonly timeoutMs: number
  readonly onEnd: ((end: SagaEnd) => void) | undefined
  readonly onTimeout: (() => void) | undefined
  readonly retry: boolean
  /** When its timeout fires (coordinator clock); undefined while it waits in the backlog. */
  deadline: number | undefined
  /** The same moment on the wall clock: the `deadline` its command carries (§8). */
  wallDeadline: number | undefined
}

/** The report that completes a saga of each kind. */
export const REPORT_FOR: Record<SagaRequest['cmd'], SagaReport['cmd']> = {
  spawn_pool_window: 'report_pool_window_added',
  reap_panes: 'report_panes_reaped',
  drain_pool_if_last: 'report_pool_drain_decision',
  custom: 'report_result',
}
