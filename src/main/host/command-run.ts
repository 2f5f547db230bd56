import { systemClock, type Clock } from '../base/clock'
import { REASON_CANCELLED, REASON_DEADLINE_EXCEEDED, type HostCommand } from '../../shared/protocol-core'
import type { HandlerContext } from './defined-command-dispatcher'

/** The `deadline` of a saga command (the other commands have none). */
export function deadlineOf(command: HostCommand): number | undefined {
  return 'deadline' in command && typeof command.deadline === 'number' ? command.deadline : undefined
}

/** A signal that never fires: commands without a saga have no deadline and cannot be cancelled. */
const NEVER_ABORTED = new AbortController().signal

/**
 * Why a command's signal fired, as `signal.reason`: a `DOMException` named as `fetch` and
 * `AbortSignal.timeout` name theirs (`TimeoutError` at the deadline, `AbortError` on
 * `cancel_saga`), with the `report_saga_action_failed` reason as its message.
 */
function deadlineExceededError(): DOMException {
  return new DOMException(REASON_DEADLINE_EXCEEDED, 'TimeoutError')
}
function cancelledError(): DOMException {
  return new DOMException(REASON_CANCELLED, 'AbortError')
}

/**
 * One command while it runs on the host: the abort signal its handler gets, fired at the
 * command's deadline (docs/protocol.md#deadlines; as gRPC propagates a deadline to the server's
 * handler context) or when the launcher sends `cancel_saga` for its saga.
 *
 * The signal and its deadline timer are created only when something could observe them: a
 * synchronous handler runs to its end before any timer can fire, so the executor arms the timer
 * only before it awaits (the host delay, an async handler). That keeps the per-command cost of the
 * hot path (a burst of quick commands) at nothing. The run is itself the handler's context
 * (`signal`, `deadline`, `sagaId`), so a command costs no context object either, and commands
 * without a saga share one run ({@link CommandRun.withoutSaga}): it can never fire.
 */
export class CommandRun implements HandlerContext {
  private controller: AbortController | undefined
  private timer: unknown
  private isEnded = false

  /** The run of every command without a saga: no deadline, no signal that can fire, no state. */
  static readonly withoutSaga = new CommandRun(0, undefined)

  constructor(
    /** The command's saga, or 0 without one (then it has no deadline and is never cancelled). */
    readonly sagaId: number,
    /** Wall-clock epoch ms, or undefined. */
    readonly deadline: number | undefined,
    private readonly clock: Clock = systemClock,
    private readonly wallNow: () => number = Date.now,
  ) {}

  /** Fires at the deadline or on `cancel_saga`; `reason` says which. */
  get signal(): AbortSignal {
    if (this.sagaId === 0) return NEVER_ABORTED
    this.controller ??= new AbortController()
    return this.controller.signal
  }

  /** Arms the deadline timer (once). The signal fires at once when the deadline has passed. */
  armDeadline(): void {
    if (this.deadline === undefined || this.timer !== undefined || this.isEnded) return
    const left = this.deadline - this.wallNow()
    if (left <= 0) return this.abort(deadlineExceededError())
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.abort(deadlineExceededError())
    }, left)
  }

  /** `cancel_saga` for its saga: fires the signal with an `AbortError` unless it already fired. */
  cancel(): void {
    this.abort(cancelledError())
  }

  /** The command is over: the timer goes, the signal never fires from now on. */
  end(): void {
    if (this.sagaId === 0) return
    this.isEnded = true
    if (this.timer === undefined) return
    this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Fires the signal (first reason wins). */
  private abort(reason: DOMException): void {
    if (this.sagaId === 0 || this.isEnded) return
    const signal = this.signal
    if (!signal.aborted) this.controller!.abort(reason)
  }
}
