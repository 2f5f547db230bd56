import type { z } from 'zod'
import { describeSchemaError } from '../../shared/define-commands'
import { SagaFailedError } from '../../shared/saga-failed-error'
import { FifoQueue } from '../base/fifo-queue'
import type { ProgressRelay } from './progress-relay'
import type { SagaStreamSink } from './launcher-streams'
import type { SagaCoordinator, SagaEnd, StartSagaOptions } from './saga-coordinator'
import { isTimeoutEnd } from './saga-failure-reasons'

/**
 * What `launcher.stream` returns: the chunks, in order, each once, as an `AsyncIterable`, and the
 * handler's return value as `result`. Leaving the loop early (`break`, `return`, a throw) cancels
 * the stream. `result`'s rejection is handled, so a stream whose `result` nobody reads raises no
 * unhandled rejection.
 *
 * @category API
 */
export interface HostpipeStream<C, O> extends AsyncIterable<C> {
  /**
   * The generator's return value (parsed by the command's `output` schema) once the stream ended.
   * Rejects as the iterator does, and with an `AbortError` DOMException when the caller left the
   * loop early.
   */
  readonly result: Promise<O>
}

/** What a stream needs of its launch once its saga started. */
export interface StreamCallLaunch {
  readonly sagas: Pick<SagaCoordinator, 'cancelSaga'>
  /** Sends `stream_credit{saga_id, credit}` to the saga's host. */
  grantCredit(sagaId: number, credit: number): void
}

export interface StreamCallOptions {
  name: string
  /**
   * The command's `stream` schema (each chunk is checked against it) and `output` schema; none
   * for a stream that fails before it starts (`failToStart`).
   */
  schemas: { readonly chunk: z.ZodType; readonly output: z.ZodType } | undefined
  /** Chunks the host may have yielded and the caller not yet taken (`streamWindow`). */
  window: number
  /** ms the whole stream may take; Infinity for none. */
  timeoutMs: number
  signal: AbortSignal | undefined
  key: string | undefined
  /** Hands its progress values to `onProgress`; undefined when the caller gave none. */
  progress?: ProgressRelay | undefined
}

interface Waiter<C> {
  resolve(step: IteratorResult<C, undefined>): void
  reject(reason: unknown): void
}

const DONE: IteratorResult<never, undefined> = { done: true, value: undefined }
const ignore = (): void => undefined

/**
 * One `launcher.stream`: the coordinator's listener for its saga, the sink of its chunks, and the
 * caller's iterator. Credit: the host starts with `window` chunks; as the caller's loop takes
 * chunks, credit for them is granted back in batches of half the window, so at most `window`
 * chunks are ever yielded by the host and not yet taken, and this buffers at most that many.
 */
export class StreamCall<C, O>
  implements HostpipeStream<C, O>, AsyncIterableIterator<C, undefined>, StartSagaOptions, SagaStreamSink
{
  sagaId = 0
  /** A stream is never retried: its chunks were delivered. */
  readonly retry = false
  readonly timeoutMs: number
  readonly key: string | undefined
  readonly result: Promise<O>
  private resolveResult: (value: O) => void = ignore
  private rejectResult: (reason: unknown) => void = ignore
  private isResultSettled = false
  private readonly buffer = new FifoQueue<C>()
  private readonly waiters: Waiter<C>[] = []
  /** How the iterator ends once its buffer is empty; set once. */
  private outcome: { error: unknown } | undefined
  private isOutcomeDelivered = false
  /** Chunks received so far (the index of the next one). */
  private received = 0
  private taken = 0
  private granted = 0
  private readonly creditBatch: number
  private launch: StreamCallLaunch | undefined
  private detachSink: () => void = ignore
  /** Its saga ended (possibly inside `startSaga`, before `begin`). */
  private isSagaEnded = false

  constructor(private readonly opts: StreamCallOptions) {
    this.timeoutMs = opts.timeoutMs
    this.key = opts.key
    this.creditBatch = Math.ceil(opts.window / 2)
    this.result = new Promise<O>((resolve, reject) => {
      this.resolveResult = resolve
      this.rejectResult = reject
    })
    this.result.catch(ignore)
  }

  /** The saga could not start (a bad input, a full queue…): the iterator and `result` reject with `error`. */
  failToStart(error: unknown): this {
    this.settle(undefined, error)
    this.end(error, true)
    return this
  }

  /** The saga started: chunks reach this through `detach`'s registration, an abort cancels it. */
  begin(sagaId: number, launch: StreamCallLaunch, detach: () => void): void {
    this.sagaId = sagaId
    this.launch = launch
    // Ended inside startSaga (the pipe refused it at once): nothing more will come for it.
    if (this.isSagaEnded) return detach()
    this.detachSink = detach
    if (this.outcome) return
    this.opts.signal?.addEventListener('abort', this, { once: true })
  }

  // SagaStreamSink

  onProgress(value: unknown): void {
    this.opts.progress?.onProgress(value)
  }

  onChunk(raw: unknown): void {
    const schemas = this.opts.schemas
    if (this.outcome || !schemas) return
    const index = this.received++
    if (this.taken + this.buffer.length >= this.opts.window + this.granted)
      return this.failStream(
        `chunk ${index} came beyond the credit the launcher gave (window ${this.opts.window})`,
      )
    const parsed = schemas.chunk.safeParse(raw)
    if (!parsed.success)
      return this.failStream(`invalid chunk ${index}: ${describeSchemaError(parsed.error)}`)
    const chunk = parsed.data as C
    const waiter = this.waiters.shift()
    if (waiter) waiter.resolve(this.take(chunk))
    else this.buffer.push(chunk)
  }

  // StartSagaOptions

  onEnd(end: SagaEnd): void {
    this.isSagaEnded = true
    this.detachSink()
    this.opts.signal?.removeEventListener('abort', this)
    if (this.outcome) return
    if (!end.ok) {
      const error = isTimeoutEnd(end)
        ? this.timeoutError()
        : (end.error ?? new SagaFailedError(end.sagaId, end.reason))
      this.settle(undefined, error)
      return this.end(error, false)
    }
    const output = this.opts.schemas?.output.safeParse(end.output)
    if (output?.success !== false) {
      this.settle(output?.data as O)
      return this.end(undefined, false)
    }
    const error = new SagaFailedError(end.sagaId, `invalid output: ${describeSchemaError(output.error)}`)
    this.settle(undefined, error)
    this.end(error, false)
  }

  onTimeout(): void {
    // The coordinator ends the saga (or leaves it to the host, whose handler's signal fires at the deadline).
    this.leave(this.timeoutError(), false)
  }

  /** The signal aborted (an EventListener object). */
  handleEvent(): void {
    this.leave(this.opts.signal!.reason, true)
  }

  // The caller's iterator

  [Symbol.asyncIterator](): this {
    return this
  }

  next(): Promise<IteratorResult<C, undefined>> {
    if (this.buffer.length > 0) return Promise.resolve(this.take(this.buffer.shift()!))
    if (this.outcome) {
      if (this.outcome.error === undefined || this.isOutcomeDelivered) return Promise.resolve(DONE)
      this.isOutcomeDelivered = true
      return Promise.reject(this.outcome.error)
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  /** The loop was left early (`break`, `return`, a throw in its body): the stream is cancelled. */
  return(): Promise<IteratorResult<C, undefined>> {
    // Whoever waits on `next()` meanwhile sees the end, not the error: the caller chose it.
    this.isOutcomeDelivered = true
    this.leave(new DOMException(`stream \`${this.opts.name}\` was left before its end`, 'AbortError'), true)
    return Promise.resolve(DONE)
  }

  throw(): Promise<IteratorResult<C, undefined>> {
    return this.return()
  }

  // ---------------------------------------------------------------------------------------------

  /** The caller takes `chunk`: credit for the chunks taken goes back in batches. */
  private take(chunk: C): IteratorResult<C, undefined> {
    this.taken++
    const owed = this.taken - this.granted
    if (owed >= this.creditBatch && this.launch && !this.outcome) {
      this.granted += owed
      this.launch.grantCredit(this.sagaId, owed)
    }
    return { done: false, value: chunk }
  }

  /** A bad chunk from the host: the chunks before it still go out, then the error; the saga is cancelled. */
  private failStream(reason: string): void {
    const error = new SagaFailedError(this.sagaId, reason)
    this.settle(undefined, error)
    this.end(error, false)
    this.launch?.sagas.cancelSaga(this.sagaId, reason)
  }

  /** The caller stopped waiting (left the loop, aborted, timed out): nothing buffered goes out. */
  private leave(error: unknown, isCancel: boolean): void {
    if (this.outcome) {
      // The saga ended with chunks still unread: nothing left to cancel.
      this.dropBuffer()
      return
    }
    this.settle(undefined, error)
    this.end(error, true)
    if (isCancel) this.launch?.sagas.cancelSaga(this.sagaId)
  }

  private settle(value: O | undefined, error?: unknown): void {
    if (this.isResultSettled) return
    this.isResultSettled = true
    // The value still held goes out before `result` settles and the loop ends; none after.
    this.opts.progress?.close()
    if (error === undefined) this.resolveResult(value as O)
    else this.rejectResult(error)
  }

  /** Sets how the iterator ends; waiting `next()`s get it now (the buffer is empty when they wait). */
  private end(error: unknown, isDroppingBuffer: boolean): void {
    if (this.outcome) return
    this.outcome = { error }
    if (isDroppingBuffer) this.dropBuffer()
    const waiters = this.waiters.splice(0)
    for (const waiter of waiters) {
      if (error === undefined || this.isOutcomeDelivered) waiter.resolve(DONE)
      else {
        this.isOutcomeDelivered = true
        waiter.reject(error)
      }
    }
  }

  private dropBuffer(): void {
    while (this.buffer.length > 0) this.buffer.shift()
  }

  private timeoutError(): DOMException {
    return new DOMException(
      `stream \`${this.opts.name}\` timed out after ${this.opts.timeoutMs} ms (its timeoutMs)`,
      'TimeoutError',
    )
  }
}
