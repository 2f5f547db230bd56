import { systemClock, type Clock } from '../base/clock'
import { silentLogger, type Logger } from '../base/logger'
import { FifoQueue } from '../base/fifo-queue'
import { describeThrown } from '../../shared/describe-thrown'
import {
  REASON_CANCELLED,
  REASON_DEADLINE_EXCEEDED,
  sagaIdOf,
  type HostCommand,
  type HostInbound,
} from '../../shared/protocol-core'
import type { CommandDispatcher, HandlerContext, HostReport } from './defined-command-dispatcher'

/** `report_saga_action_failed.reason` is capped by the protocol. */
const MAX_REASON_CHARS = 4000

export interface CommandExecutorOptions {
  handlers: CommandDispatcher
  /** Sends one frame to the launcher (reports and acks, in the order given). */
  send(frame: HostInbound): void
  /**
   * `--host-delay-ms`: how long each command takes. Default 0. The delay is part of the command's
   * work: its signal cuts it short (the command then fails with the signal's reason).
   */
  delayMs?: number
  /**
   * A command completed (its handler returned), called before its report is sent (HOSTPIPE_RECORD
   * hooks in here, docs/protocol.md#record-file). Not called for a command skipped, past its
   * deadline, or whose handler failed. `sagaId` is 0 for a command without a saga.
   */
  onCommandCompleted?(seq: number, sagaId: number): void
  log?: Logger
  /** Runs the delay and the deadline timers. */
  clock?: Clock
  /** Wall clock the `deadline` fields are compared with. Default Date.now. */
  wallNow?: () => number
  /**
   * The host registered with `per_call_ack`: a `report_result` or `report_saga_action_failed`
   * carries its command's `seq` and is its ack, and every other command gets an ack of its own.
   * Default false: one cumulative ack covers each run of commands.
   */
  perCallAcks?: boolean
}

interface QueuedCommand {
  seq: number
  command: HostCommand
  /** `sagaIdOf(command)`, read once: 0 without a saga. */
  sagaId: number
  /** `cancel_saga` came for it while it waited: it is acked without running (already reported). */
  isCancelled: boolean
  /** Per-call acks: its report carried its seq, so it needs no ack. */
  isAcked: boolean
}

/**
 * Runs commands one at a time in arrival order, sends each one's report, then acks.
 *
 * Deadlines (host feature `"deadline"`, docs/protocol.md#deadlines): a command whose `deadline` has passed
 * when its turn comes is not started; it gets `report_saga_action_failed{reason:"deadline
 * exceeded"}` and its ack. A running command's handler gets a signal that fires at the deadline or
 * on `cancel_saga`; `cancel` skips the saga's queued commands at once (reported `cancelled`, acked
 * in their turn, since acks are cumulative).
 *
 * Acks are cumulative, so they are batched: everything that arrived in one tick is executed and
 * then covered by a single ack of the last seq. A command that takes real time (a delay, an async
 * handler) is acked as soon as it is done, so the launcher's in-flight window keeps moving while
 * the rest of the queue waits.
 */
export class CommandExecutor {
  private readonly handlers: CommandDispatcher
  private readonly send: (frame: HostInbound) => void
  private readonly delayMs: number
  private readonly onCommandCompleted: ((seq: number, sagaId: number) => void) | undefined
  private readonly log: Logger
  private readonly clock: Clock
  private readonly wallNow: () => number
  private readonly perCallAcks: boolean
  private readonly queue = new FifoQueue<QueuedCommand>()
  /** The command being executed (its delay included), for `cancel`. */
  private running: CommandRun | undefined
  /** The last seq executed and not yet acked, or -1: one ack covers everything up to it. */
  private unackedSeq = -1
  private isScheduled = false
  private isRunning = false
  private isDisposed = false
  private sleepTimer: { handle: unknown; wake: () => void } | undefined

  constructor(opts: CommandExecutorOptions) {
    this.handlers = opts.handlers
    this.send = opts.send
    this.delayMs = opts.delayMs ?? 0
    this.onCommandCompleted = opts.onCommandCompleted
    this.log = opts.log ?? silentLogger
    this.clock = opts.clock ?? systemClock
    this.wallNow = opts.wallNow ?? Date.now
    this.perCallAcks = opts.perCallAcks === true
  }

  enqueue(seq: number, command: HostCommand): void {
    if (this.isDisposed) return
    this.queue.push({ seq, command, sagaId: sagaIdOf(command) ?? 0, isCancelled: false, isAcked: false })
    if (this.isScheduled || this.isRunning) return
    this.isScheduled = true
    // After the current chunk: every frame of it is queued by then, so one ack covers them all.
    queueMicrotask(() => void this.run())
  }

  /**
   * `cancel_saga`: the saga's queued commands are reported `cancelled` now and will be acked
   * without running; a running one has its signal fired (its handler decides the outcome).
   * Returns how many commands it reached. A saga with nothing here is ignored: the launcher only
   * cancels commands it wrote, and frames arrive in order, so nothing of it can come later.
   */
  cancel(sagaId: number): number {
    if (this.isDisposed || sagaId === 0) return 0
    let reached = 0
    this.queue.forEach((item) => {
      if (item.isCancelled || item.sagaId !== sagaId) return
      item.isCancelled = true
      reached++
      this.reportFailure(item, REASON_CANCELLED)
    })
    if (this.running?.sagaId === sagaId) {
      this.running.abort(cancelledError())
      reached++
    }
    return reached
  }

  /** Stops executing; commands still queued are dropped (the launcher fails their sagas). */
  dispose(): void {
    this.isDisposed = true
    this.running?.end()
    this.queue.takeAll()
    if (this.sleepTimer) {
      this.clock.clearTimeout(this.sleepTimer.handle)
      this.sleepTimer.wake()
    }
  }

  private async run(): Promise<void> {
    this.isScheduled = false
    if (this.isRunning) return
    this.isRunning = true
    try {
      for (let item = this.queue.shift(); item && !this.isDisposed; item = this.queue.shift()) {
        // The quick path (no delay, a synchronous handler) stays synchronous: no await per command.
        const ran = item.isCancelled ? false : this.runOne(item)
        const tookTime = typeof ran === 'boolean' ? ran : await ran
        if (this.isDisposed) return
        if (this.perCallAcks) {
          if (!item.isAcked) this.send({ cmd: 'ack', seq: item.seq })
          continue
        }
        this.unackedSeq = item.seq
        if (tookTime) this.flushBatch()
      }
      this.flushBatch()
    } finally {
      this.isRunning = false
    }
  }

  /**
   * Runs one command unless its deadline has passed. Returns whether it took time (was awaited):
   * a boolean when it ran synchronously, a promise of one when it had to wait.
   */
  private runOne(item: QueuedCommand): boolean | Promise<boolean> {
    const sagaId = item.sagaId
    const deadline = sagaId === 0 ? undefined : deadlineOf(item.command)
    // Never started late: the launcher may already have told its user the saga timed out.
    if (deadline !== undefined && this.wallNow() >= deadline) {
      this.reportFailure(item, REASON_DEADLINE_EXCEEDED)
      return false
    }
    const run =
      sagaId === 0 ? CommandRun.withoutSaga : new CommandRun(sagaId, deadline, this.clock, this.wallNow)
    this.running = run
    if (this.delayMs > 0) return this.finish(run, this.delayThenExecute(item, run))
    const pending = this.execute(item, run)
    if (!pending) {
      run.end()
      this.running = undefined
      return false
    }
    run.armDeadline()
    return this.finish(
      run,
      pending.then(() => true),
    )
  }

  /** The host delay is part of the command's work: its signal cuts it short. */
  private async delayThenExecute(item: QueuedCommand, run: CommandRun): Promise<boolean> {
    run.armDeadline()
    await this.sleep(this.delayMs, run.signal)
    if (this.isDisposed) return true
    if (run.signal.aborted) {
      this.reportFailure(item, run.signal.reason)
      return true
    }
    const pending = this.execute(item, run)
    if (pending) await pending
    return true
  }

  /** The command is over once `done` settles: its signal can no longer fire. */
  private finish(run: CommandRun, done: Promise<boolean>): Promise<boolean> {
    return done.finally(() => {
      run.end()
      if (this.running === run) this.running = undefined
    })
  }

  /**
   * Runs the handler; returns a promise only when the handler was async. The run is the handler's
   * context: its `signal` is made when first read, so a handler that never looks costs nothing.
   */
  private execute(item: QueuedCommand, run: CommandRun): Promise<void> | undefined {
    let result: ReturnType<CommandDispatcher['handle']>
    try {
      result = this.handlers.handle(item.command, run)
    } catch (err) {
      this.reportFailure(item, err)
      return undefined
    }
    if (!(result instanceof Promise)) {
      this.report(item, result)
      return undefined
    }
    return result.then(
      (report) => this.report(item, report),
      (err: unknown) => this.reportFailure(item, err),
    )
  }

  /** The handler returned: the command completed (recorded first), then its report goes out. */
  private report(item: QueuedCommand, report: HostReport): void {
    if (this.isDisposed) return
    try {
      this.onCommandCompleted?.(item.seq, item.sagaId)
    } catch (err) {
      this.log.error(
        `recording completed command seq ${item.seq} failed: ${describeThrown(err, 'recording')}`,
      )
    }
    // Saga commands without a saga (id 0 or absent) have nobody waiting for their report.
    if (report.cmd !== 'report_ui_thread_alive' && item.sagaId === 0) return
    if (this.perCallAcks && report.cmd === 'report_result') {
      item.isAcked = true
      this.send({ cmd: 'report_result', saga_id: report.saga_id, output: report.output, seq: item.seq })
      return
    }
    this.send(report)
  }

  /** Whatever was thrown becomes the reason: this never throws (`describeThrown`). */
  private reportFailure(item: QueuedCommand, err: unknown): void {
    const reason = describeThrown(err, 'handler', MAX_REASON_CHARS)
    const line = `command ${item.command.cmd} (seq ${item.seq}) failed: ${reason}`
    // Deadlines and cancellations come by the hundred under load, and the launcher logs them.
    if (reason === REASON_DEADLINE_EXCEEDED || reason === REASON_CANCELLED) this.log.debug(line)
    else this.log.warn(line)
    if (item.sagaId === 0 || this.isDisposed) return
    if (this.perCallAcks) item.isAcked = true
    this.send({
      cmd: 'report_saga_action_failed',
      saga_id: item.sagaId,
      reason,
      ...(this.perCallAcks ? { seq: item.seq } : {}),
    })
  }

  private flushBatch(): void {
    if (this.unackedSeq < 0 || this.isDisposed) return
    const seq = this.unackedSeq
    this.unackedSeq = -1
    this.send({ cmd: 'ack', seq })
  }

  /** Waits `ms`, or less when `signal` fires first. */
  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const wake = (): void => {
        if (this.sleepTimer?.wake === wake) {
          this.clock.clearTimeout(this.sleepTimer.handle)
          this.sleepTimer = undefined
        }
        signal.removeEventListener('abort', wake)
        resolve()
      }
      this.sleepTimer = { handle: this.clock.setTimeout(wake, ms), wake }
      signal.addEventListener('abort', wake, { once: true })
    })
  }
}

/** The `deadline` of a saga command (the other commands have none). */
function deadlineOf(command: HostCommand): number | undefined {
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
class CommandRun implements HandlerContext {
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

  /** Fires the signal (first reason wins). */
  abort(reason: DOMException): void {
    if (this.sagaId === 0 || this.isEnded) return
    const signal = this.signal
    if (!signal.aborted) this.controller!.abort(reason)
  }

  /** The command is over: the timer goes, the signal never fires from now on. */
  end(): void {
    if (this.sagaId === 0) return
    this.isEnded = true
    if (this.timer === undefined) return
    this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }
}
