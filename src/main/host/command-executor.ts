import { systemClock, type Clock } from '../base/clock'
import { silentLogger, type Logger } from '../base/logger'
import { FifoQueue } from '../base/fifo-queue'
import { sagaIdOf, type Command, type HostInbound } from '../../shared/protocol'
import type { CommandHandlers, HostReport } from './command-handlers'

/** `report_saga_action_failed.reason` is capped by the protocol. */
const MAX_REASON_CHARS = 4000

export interface CommandExecutorOptions {
  handlers: CommandHandlers
  /** Sends one frame to the launcher (reports and acks, in the order given). */
  send(frame: HostInbound): void
  /** `--host-delay-ms`: how long each command takes. Default 0. */
  delayMs?: number
  /** The seqs of each batch, called before the batch is acked (HOSTPIPE_RECORD hooks in here). */
  onBatchExecuted?(seqs: number[]): void
  log?: Logger
  clock?: Clock
}

interface QueuedCommand {
  seq: number
  command: Command
}

/**
 * Runs commands one at a time in arrival order, sends each one's report, then acks.
 *
 * Acks are cumulative, so they are batched: everything that arrived in one tick is executed and
 * then covered by a single ack of the last seq. A command that takes real time (a delay, an async
 * handler) is acked as soon as it is done, so the launcher's in-flight window keeps moving while
 * the rest of the queue waits.
 */
export class CommandExecutor {
  private readonly handlers: CommandHandlers
  private readonly send: (frame: HostInbound) => void
  private readonly delayMs: number
  private readonly onBatchExecuted: ((seqs: number[]) => void) | undefined
  private readonly log: Logger
  private readonly clock: Clock
  private readonly queue = new FifoQueue<QueuedCommand>()
  private batch: number[] = []
  private isScheduled = false
  private isRunning = false
  private isDisposed = false
  private sleepTimer: { handle: unknown; wake: () => void } | undefined

  constructor(opts: CommandExecutorOptions) {
    this.handlers = opts.handlers
    this.send = opts.send
    this.delayMs = opts.delayMs ?? 0
    this.onBatchExecuted = opts.onBatchExecuted
    this.log = opts.log ?? silentLogger
    this.clock = opts.clock ?? systemClock
  }

  enqueue(seq: number, command: Command): void {
    if (this.isDisposed) return
    this.queue.push({ seq, command })
    if (this.isScheduled || this.isRunning) return
    this.isScheduled = true
    // After the current chunk: every frame of it is queued by then, so one ack covers them all.
    queueMicrotask(() => void this.run())
  }

  /** Stops executing; commands still queued are dropped (the launcher fails their sagas). */
  dispose(): void {
    this.isDisposed = true
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
        let tookTime = false
        if (this.delayMs > 0) {
          await this.sleep(this.delayMs)
          if (this.isDisposed) return
          tookTime = true
        }
        const pending = this.execute(item)
        if (pending) {
          await pending
          tookTime = true
        }
        this.batch.push(item.seq)
        if (tookTime) this.flushBatch()
      }
      this.flushBatch()
    } finally {
      this.isRunning = false
    }
  }

  /** Runs the handler; returns a promise only when the handler was async. */
  private execute(item: QueuedCommand): Promise<void> | undefined {
    let result: ReturnType<CommandHandlers['handle']>
    try {
      result = this.handlers.handle(item.command)
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

  private report(item: QueuedCommand, report: HostReport | undefined): void {
    if (!report || this.isDisposed) return
    // Saga commands without a saga (id 0 or absent) have nobody waiting for their report.
    if (report.cmd !== 'report_ui_thread_alive' && sagaIdOf(item.command) === undefined) return
    this.send(report)
  }

  private reportFailure(item: QueuedCommand, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err)
    this.log.warn(`command ${item.command.cmd} (seq ${item.seq}) failed: ${reason}`)
    const sagaId = sagaIdOf(item.command)
    if (sagaId === undefined || this.isDisposed) return
    this.send({
      cmd: 'report_saga_action_failed',
      saga_id: sagaId,
      reason: reason.slice(0, MAX_REASON_CHARS),
    })
  }

  private flushBatch(): void {
    if (this.batch.length === 0 || this.isDisposed) return
    const seqs = this.batch
    this.batch = []
    try {
      this.onBatchExecuted?.(seqs)
    } catch (err) {
      this.log.error(`recording executed commands failed: ${String(err)}`)
    }
    this.send({ cmd: 'ack', seq: seqs[seqs.length - 1]! })
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleepTimer = undefined
        resolve()
      }
      this.sleepTimer = { handle: this.clock.setTimeout(wake, ms), wake }
    })
  }
}
