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
import { CommandRun, deadlineOf } from './command-run'
import type { CommandDispatcher, HostReport } from './defined-command-dispatcher'

/** `report_saga_action_failed.reason` is capped by the protocol. */
const MAX_REASON_CHARS = 4000

export interface CommandExecutorOptions {
  handlers: CommandDispatcher
  /**
   * Sends one frame to the launcher (reports and acks, in the order given); a saga's report comes
   * with the name of the command it answers (`command`), for an error message.
   */
  send(frame: HostInbound, command?: string): void
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
   * carries its command's `seq` and is its ack, every other command gets an ack of its own, and
   * app commands run side by side. Default false: every command runs one at a time in arrival
   * order, and one cumulative ack covers each run of commands.
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

/** A host delay under way: `wake` ends it early (its signal fired, or `dispose`). */
interface Sleep {
  handle: unknown
  wake(): void
}

/**
 * Runs the commands the launcher sends, sends each one's report, and acks them.
 *
 * With cumulative acks (the default: an AgentMux-compatible launcher) every command runs in one
 * ordered lane, one at a time in arrival order. With per-call acks only the commands the
 * dispatcher says keep arrival order (the AgentMux ones) take that lane; every other command (an
 * app's) starts as soon as it arrives, beside whatever runs, and is reported and acked when it
 * ends, in whatever order they end (docs/protocol.md#per-call-acks). Synchronous handlers still
 * share the host's one thread: what overlaps is their waits, not their CPU.
 *
 * Deadlines (host feature `"deadline"`, docs/protocol.md#deadlines): a command whose `deadline` has passed
 * when it would start is not started; it gets `report_saga_action_failed{reason:"deadline
 * exceeded"}` and its ack. A running command's handler gets a signal that fires at the deadline or
 * on `cancel_saga`; `cancel` fires it for every running command of the saga and skips the saga's
 * waiting ones at once (reported `cancelled`, acked in their turn).
 *
 * Cumulative acks are batched: everything that arrived in one tick is executed and then covered
 * by a single ack of the last seq. A command that takes real time (a delay, an async handler) is
 * acked as soon as it is done, so the launcher's in-flight window keeps moving while the rest of
 * the queue waits.
 */
export class CommandExecutor {
  private readonly handlers: CommandDispatcher
  private readonly send: (frame: HostInbound, command?: string) => void
  private readonly delayMs: number
  private readonly onCommandCompleted: ((seq: number, sagaId: number) => void) | undefined
  private readonly log: Logger
  private readonly clock: Clock
  private readonly wallNow: () => number
  private readonly perCallAcks: boolean
  /** The ordered lane: every command with cumulative acks, the AgentMux ones with per-call acks. */
  private readonly queue = new FifoQueue<QueuedCommand>()
  /** Per-call acks: app commands read in the current chunk, started once it is read. */
  private readonly arrived = new FifoQueue<QueuedCommand>()
  /** Commands of a saga that are running and waiting on something (a delay, an async handler). */
  private readonly running = new Set<CommandRun>()
  private readonly sleeps = new Set<Sleep>()
  /** The last seq executed and not yet acked, or -1: one ack covers everything up to it. */
  private unackedSeq = -1
  private isScheduled = false
  private isStartScheduled = false
  private isRunning = false
  private isDisposed = false

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

  /** Takes the command written with `seq`; it starts once the frames read with it are handled. */
  enqueue(seq: number, command: HostCommand): void {
    if (this.isDisposed) return
    const item = { seq, command, sagaId: sagaIdOf(command) ?? 0, isCancelled: false, isAcked: false }
    if (this.perCallAcks && !this.handlers.keepsArrivalOrder(command)) {
      this.arrived.push(item)
      if (this.isStartScheduled) return
      this.isStartScheduled = true
      // After the current chunk, as the ordered lane does: a `cancel_saga` read in the same chunk
      // still finds the command waiting, and no handler runs inside the frame reader.
      queueMicrotask(() => this.startArrived())
      return
    }
    this.queue.push(item)
    if (this.isScheduled || this.isRunning) return
    this.isScheduled = true
    // After the current chunk: every frame of it is queued by then, so one ack covers them all.
    queueMicrotask(() => void this.run())
  }

  /**
   * `cancel_saga`: the saga's waiting commands are reported `cancelled` now and will be acked
   * without running; every running one has its signal fired (its handler decides the outcome).
   * Returns how many commands it reached. A saga with nothing here is ignored: the launcher only
   * cancels commands it wrote, and frames arrive in order, so nothing of it can come later.
   */
  cancel(sagaId: number): number {
    if (this.isDisposed || sagaId === 0) return 0
    let reached = 0
    const skip = (item: QueuedCommand): void => {
      if (item.isCancelled || item.sagaId !== sagaId) return
      item.isCancelled = true
      reached++
      this.reportFailure(item, REASON_CANCELLED)
    }
    this.queue.forEach(skip)
    this.arrived.forEach(skip)
    for (const run of this.running) {
      if (run.sagaId !== sagaId) continue
      run.cancel()
      reached++
    }
    return reached
  }

  /** Stops executing; commands still waiting are dropped (the launcher fails their sagas). */
  dispose(): void {
    this.isDisposed = true
    for (const run of this.running) run.end()
    this.running.clear()
    this.queue.takeAll()
    this.arrived.takeAll()
    for (const sleep of this.sleeps) sleep.wake()
  }

  /** The ordered lane: one command at a time, in arrival order. */
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
          this.ackAlone(item)
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

  /** Per-call acks: starts every app command that arrived, each beside whatever runs. */
  private startArrived(): void {
    this.isStartScheduled = false
    for (let item = this.arrived.shift(); item && !this.isDisposed; item = this.arrived.shift()) {
      const ran = item.isCancelled ? false : this.runOne(item)
      if (typeof ran === 'boolean') this.ackAlone(item)
      else void ran.then(() => this.ackAlone(item))
    }
  }

  /** Per-call acks: a command whose report did not carry its seq (it had none) gets an ack alone. */
  private ackAlone(item: QueuedCommand): void {
    if (!item.isAcked && !this.isDisposed) this.send({ cmd: 'ack', seq: item.seq })
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
    if (this.delayMs > 0) return this.finish(run, this.delayThenExecute(item, run))
    const pending = this.execute(item, run)
    // A synchronous handler is over before a timer or a `cancel_saga` could reach it.
    if (!pending) {
      run.end()
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
    await this.sleep(this.delayMs, run)
    if (this.isDisposed) return true
    if (run.signal.aborted) {
      this.reportFailure(item, run.signal.reason)
      return true
    }
    const pending = this.execute(item, run)
    if (pending) await pending
    return true
  }

  /** The command runs until `done` settles (a cancel can reach it); then its signal can no longer fire. */
  private finish(run: CommandRun, done: Promise<boolean>): Promise<boolean> {
    if (run.sagaId !== 0) this.running.add(run)
    return done.finally(() => {
      run.end()
      this.running.delete(run)
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
      const frame = {
        cmd: 'report_result',
        saga_id: report.saga_id,
        output: report.output,
        seq: item.seq,
      } as const
      this.send(frame, item.command.cmd)
      return
    }
    this.send(report, item.command.cmd)
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
    const seq = this.perCallAcks ? { seq: item.seq } : {}
    this.send({ cmd: 'report_saga_action_failed', saga_id: item.sagaId, reason, ...seq }, item.command.cmd)
  }

  private flushBatch(): void {
    if (this.unackedSeq < 0 || this.isDisposed) return
    const seq = this.unackedSeq
    this.unackedSeq = -1
    this.send({ cmd: 'ack', seq })
  }

  /** Waits `ms`, or less when the run's signal fires first (or on `dispose`). */
  private sleep(ms: number, run: CommandRun): Promise<void> {
    // Commands without a saga share one signal that never fires: no listener piles up on it.
    const signal = run.sagaId === 0 ? undefined : run.signal
    if (signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const sleep: Sleep = {
        handle: undefined,
        wake: () => {
          if (!this.sleeps.delete(sleep)) return
          this.clock.clearTimeout(sleep.handle)
          signal?.removeEventListener('abort', sleep.wake)
          resolve()
        },
      }
      sleep.handle = this.clock.setTimeout(sleep.wake, ms)
      this.sleeps.add(sleep)
      signal?.addEventListener('abort', sleep.wake, { once: true })
    })
  }
}
