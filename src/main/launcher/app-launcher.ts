import type { DiagnosticsSnapshot } from '../../shared/diagnostics'
import {
  describeSchemaError,
  findReservedField,
  type CallCommandNameOf,
  type CommandChunk,
  type CommandDefinition,
  type CommandDefinitions,
  type CommandInput,
  type CommandOutput,
  type CommandProgress,
  type StreamCommandNameOf,
} from '../../shared/define-commands'
import type { EventDefinitions, EventNameOf } from '../../shared/define-events'
import type { z } from 'zod'
import type { Event } from '../../shared/protocol'
import { SagaFailedError } from '../../shared/saga-failed-error'
import { findUnencodable, schemaOutputTravels } from '../../shared/wire-value'
import type { Logger } from '../base/logger'
import { HostPipeError } from '../host-pipe'
import { checkAppLauncherOptions } from './app-launcher-options'
import { registerLauncherInternals, type LauncherInternals } from './diagnostics-source'
import { EventBus, type EventListener } from './event-bus'
import { createLauncher as composeLauncher, type Launcher } from './launcher'
import { LauncherLifecycle } from './launcher-lifecycle'
import {
  SAGA_TIMEOUT_MS,
  type SagaCoordinator,
  type SagaEnd,
  type StartSagaOptions,
} from './saga-coordinator'
import { isTimeoutEnd } from './saga-failure-reasons'
import { ProgressRelay } from './progress-relay'
import { createHostOutputStderrLogger, createStderrLogger } from './stderr-logger'
import { StreamCall, type HostpipeStream } from './stream-call'
import type {
  AppLauncherOptions,
  CallOptions,
  HostOutputSettings,
  HostpipeLauncher,
  LaunchRuntime,
  StreamOptions,
} from './launcher-api'

/**
 * Builds the launcher of an embedding app on top of the composed launcher. `runtime` is called
 * for each launch (at once, and by each `start()` after a `stop()`) with where host output goes.
 * Throws a TypeError for bad options (see checkAppLauncherOptions).
 */
export function createAppLauncher<D extends CommandDefinitions, E extends EventDefinitions>(
  opts: AppLauncherOptions<D, E>,
  runtime: (output: HostOutputSettings) => LaunchRuntime,
): HostpipeLauncher<D, E> {
  const launcher = new AppLauncher(opts, runtime)
  registerLauncherInternals(launcher, () => launcher.internals())
  return launcher
}

/** A call or stream checked and ready to start, and the request its saga starts with. */
interface PreparedCall {
  readonly cmd: 'custom'
  readonly name: string
  readonly def: CommandDefinition
  readonly input: Record<string, unknown>
  /** The caller's timeout: undefined when none was given. */
  readonly timeoutMs: number | undefined
  readonly key: string | undefined
  /** −1 when the input's schema shows it holds no bytes (see `StartSagaOptions.blockBytes`). */
  readonly blockBytes: -1 | undefined
}

class AppLauncher<D extends CommandDefinitions, E extends EventDefinitions> implements HostpipeLauncher<
  D,
  E
> {
  /** The launches, one after another; `launches.core` is the current one's parts. */
  private readonly launches: LauncherLifecycle
  /** A call's timeout when it gives none (the `sagaTimeoutMs` option). */
  private readonly sagaTimeoutMs: number
  private readonly commands: D
  private readonly streamWindow: number
  private readonly log: Logger
  private readonly bus: EventBus<E>

  constructor(opts: AppLauncherOptions<D, E>, runtime: (output: HostOutputSettings) => LaunchRuntime) {
    const {
      hostOutput: output,
      maxPayloadBytes,
      maxQueuedBytes,
      streamWindow,
      hostSpawn,
    } = checkAppLauncherOptions(opts)
    this.commands = opts.commands
    this.streamWindow = streamWindow
    this.sagaTimeoutMs = opts.sagaTimeoutMs ?? SAGA_TIMEOUT_MS
    const log = opts.log ?? createStderrLogger('warn')
    this.log = log
    this.bus = new EventBus(opts.events, log)
    const hostLog = opts.log ?? createHostOutputStderrLogger()
    this.launches = new LauncherLifecycle(() => {
      const { spawner, release } = runtime({ output, log: hostLog })
      const core = composeLauncher({
        spawner,
        transport: opts.transport,
        hostArgs: opts.hostArgs,
        sagaTimeoutMs: opts.sagaTimeoutMs,
        maxRestarts: opts.maxRestarts,
        startTimeoutMs: opts.startTimeoutMs,
        standby: opts.standby,
        unresponsiveMs: opts.unresponsiveMs,
        hosts: opts.hosts,
        concurrency: opts.concurrency,
        maxQueued: opts.maxQueued,
        bufferCapacity: opts.bufferCapacity,
        maxPayloadBytes,
        maxQueuedBytes,
        streamWindow: this.streamWindow,
        hostSpawn,
        log,
      })
      core.streams.onDidReceiveEvent((e) => this.bus.deliver(e, () => core.streams.noteEventDropped()))
      return { core, release }
    })
  }

  get apiToken(): string {
    return this.core.apiToken
  }

  /** The current launch's parts. */
  private get core(): Launcher {
    return this.launches.core
  }

  start(): Promise<void> {
    return this.launches.start()
  }

  call<K extends CallCommandNameOf<D>>(
    name: K,
    input: CommandInput<D, K>,
    options: CallOptions<CommandProgress<D, K>> = NO_OPTIONS,
  ): Promise<CommandOutput<D, K>> {
    const prepared = this.prepare(name, input, options, 'call')
    if (!('def' in prepared)) return Promise.reject(prepared.error)
    const onProgress = options.onProgress as ((value: unknown) => void) | undefined
    const progress =
      typeof onProgress === 'function'
        ? new ProgressRelay(name, prepared.def.progress, onProgress, this.log)
        : undefined
    const signal = options.signal
    const call = new PendingCall<CommandOutput<D, K>>(name, prepared, this.sagaTimeoutMs, signal, progress)
    const promise = call.promise()
    const core = this.core
    try {
      call.sagaId = core.sagas.startSaga(prepared, call)
    } catch (err) {
      if (call.settle()) call.reject(err)
      return promise
    }
    if (progress && !call.isOver) call.detach = core.streams.attach(call.sagaId, progress, false)
    call.listen(core.sagas)
    return promise
  }

  stream<K extends StreamCommandNameOf<D>>(
    name: K,
    input: CommandInput<D, K>,
    options: StreamOptions<CommandProgress<D, K>> = {},
  ): HostpipeStream<CommandChunk<D, K>, CommandOutput<D, K>> {
    const prepared = this.prepare(name, input, options, 'stream')
    const isReady = 'def' in prepared
    const onProgress = options.onProgress as ((value: unknown) => void) | undefined
    const stream = new StreamCall<CommandChunk<D, K>, CommandOutput<D, K>>({
      name,
      schemas: isReady ? { chunk: prepared.def.stream!, output: prepared.def.output } : undefined,
      window: this.streamWindow,
      // A stream runs as long as it produces unless the caller bounds it.
      timeoutMs: isReady ? (prepared.timeoutMs ?? Infinity) : Infinity,
      signal: options.signal,
      key: isReady ? prepared.key : undefined,
      progress:
        isReady && typeof onProgress === 'function'
          ? new ProgressRelay(name, prepared.def.progress, onProgress, this.log)
          : undefined,
    })
    if (!isReady) return stream.failToStart(prepared.error)
    const core = this.core
    let sagaId: number
    try {
      sagaId = core.sagas.startSaga(prepared, stream)
    } catch (err) {
      return stream.failToStart(err)
    }
    stream.begin(
      sagaId,
      { sagas: core.sagas, grantCredit: (id, credit) => core.streams.grantCredit(id, credit) },
      core.streams.attach(sagaId, stream, true),
    )
    return stream
  }

  on<K extends EventNameOf<E>>(name: K, fn: EventListener<E, K>): () => void {
    return this.bus.on(name, fn)
  }

  /**
   * Checks a call or stream before anything is sent: the name, the method for it, the input, the
   * timeout, the key, the signal and the launcher's state. Returns what to start, or the error.
   */
  private prepare(
    name: string,
    input: unknown,
    options: { timeoutMs?: number; signal?: AbortSignal },
    method: 'call' | 'stream',
  ): PreparedCall | { error: unknown } {
    const def = Object.prototype.hasOwnProperty.call(this.commands, name) ? this.commands[name] : undefined
    if (!def) {
      const known = Object.keys(this.commands).join(', ') || 'none'
      return {
        error: new HostPipeError('INVALID_COMMAND', `unknown command \`${name}\` (defined: ${known})`),
      }
    }
    const isStream = def.stream !== undefined
    if (isStream !== (method === 'stream'))
      return {
        error: new HostPipeError(
          'INVALID_COMMAND',
          isStream
            ? `\`${name}\` is a stream command: use launcher.stream('${name}', …), not call`
            : `\`${name}\` is not a stream command (its definition gives no \`stream\`): use launcher.call('${name}', …), not stream`,
        ),
      }
    const parsed = def.input.safeParse(input)
    if (!parsed.success)
      return {
        error: new HostPipeError(
          'INVALID_COMMAND',
          `invalid input for \`${name}\`: ${describeSchemaError(parsed.error)}`,
        ),
      }
    // What JSON cannot carry (a Date, a BigInt…) or an envelope field: refused before anything is sent.
    const data = parsed.data as Record<string, unknown>
    const travels = schemaOutputTravels(def.input)
    const fault = travels ? undefined : (findUnencodable(data, 'input') ?? findReservedField(data, 'input'))
    if (fault !== undefined)
      return {
        error: new HostPipeError(
          'INVALID_COMMAND',
          `invalid input for \`${name}\`: ${fault}; see "What travels" in hostpipe's README`,
        ),
      }
    const signal = options.signal
    if (signal?.aborted) return { error: signal.reason }
    const refusal = this.launches.refusal(name, method)
    if (refusal) return { error: refusal }
    const timeoutMs = callTimeoutOf(name, options.timeoutMs)
    if (timeoutMs instanceof HostPipeError) return { error: timeoutMs }
    const key = keyOf(name, def, data)
    if (key instanceof HostPipeError) return { error: key }
    return { cmd: 'custom', name, def, input: data, timeoutMs, key, blockBytes: travels ? -1 : undefined }
  }

  diagnostics(): DiagnosticsSnapshot {
    return this.core.diagnostics.snapshot()
  }

  onEvent(fn: (event: Event) => void): () => void {
    return this.launches.onEvent(fn)
  }

  onDiagnostics(fn: (snapshot: DiagnosticsSnapshot) => void): () => void {
    return this.launches.onDiagnostics(fn)
  }

  stop(): Promise<void> {
    return this.launches.stop()
  }

  internals(): LauncherInternals {
    return {
      source: this.core.diagnostics,
      subscribeEvents: (fn) => this.core.subscribeEvents(fn),
      token: this.core.apiToken,
    }
  }
}

const ignore = (): void => undefined
/** A call without options: one object for all of them. */
const NO_OPTIONS: { readonly signal?: undefined } = Object.freeze({})
const INERT_CALL = { def: {} } as PreparedCall
/** The call whose promise is being made (see `PendingCall.promise`); set just before. */
let capturing: PendingCall<unknown> | undefined
function captureSettlers(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  capturing!.resolve = resolve
  capturing!.reject = reject
  capturing = undefined
}

/**
 * One `call` waiting for its saga: the coordinator's listener (`onEnd`, `onTimeout`) and the
 * signal's, in one object, so a call costs its promise and this, not a closure per outcome.
 */
class PendingCall<O> implements StartSagaOptions {
  /**
   * An inert instance that outlives every call. V8 drops a class's instance shape at a full GC
   * once no instance is alive, and the optimized code built for it with it: after an idle
   * collection the next ~100k calls ran at about half speed (docs/benchmarks.md).
   */
  static readonly shapeAnchor: unknown = new PendingCall('', INERT_CALL, 0, undefined, undefined)
  sagaId = 0
  private isSettled = false
  private sagas: Pick<SagaCoordinator, 'cancelSaga'> | undefined

  private readonly output: z.ZodType
  readonly timeoutMs: number
  /** The call gave no `timeoutMs`: the launcher's `sagaTimeoutMs` applies. */
  private readonly isDefaultTimeout: boolean
  readonly retry: boolean
  /** Its lane (the definition's `key(input)`), or undefined: side by side with any other. */
  readonly key: string | undefined
  readonly blockBytes: -1 | undefined

  /** `progress` hands its progress values to `onProgress`; undefined when the caller gave none. */
  constructor(
    private readonly name: string,
    prepared: PreparedCall,
    sagaTimeoutMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly progress: ProgressRelay | undefined,
  ) {
    this.output = prepared.def.output
    this.timeoutMs = prepared.timeoutMs ?? sagaTimeoutMs
    this.isDefaultTimeout = prepared.timeoutMs === undefined
    this.retry = prepared.def.retry === true
    this.key = prepared.key
    this.blockBytes = prepared.blockBytes
  }

  /** Ends the delivery of its progress frames (set once its saga started with a relay). */
  detach: () => void = ignore

  resolve: (value: O) => void = ignore
  reject: (reason: unknown) => void = ignore

  /** The call's promise, its settle functions kept here (no executor closure per call). */
  promise(): Promise<O> {
    capturing = this as PendingCall<unknown>
    return new Promise<O>(
      captureSettlers as (resolve: (value: O) => void, reject: (reason: unknown) => void) => void,
    )
  }

  /** After the saga started: an abort from now on cancels it. */
  listen(sagas: Pick<SagaCoordinator, 'cancelSaga'>): void {
    if (this.isSettled || !this.signal) return
    this.sagas = sagas
    this.signal.addEventListener('abort', this, { once: true })
  }

  /** Its saga ended, or its caller stopped waiting. */
  get isOver(): boolean {
    return this.isSettled
  }

  /** Marks the call settled; false when it already was. */
  settle(): boolean {
    if (this.isSettled) return false
    this.isSettled = true
    // The value still held goes out before the call settles; none after.
    this.progress?.close()
    if (this.sagas) this.signal?.removeEventListener('abort', this)
    return true
  }

  onTimeout(): void {
    if (this.settle()) this.reject(this.timeoutError())
  }

  onEnd(end: SagaEnd): void {
    this.detach()
    if (!this.settle()) return
    if (!end.ok) {
      // The caller's timeout passed before the outcome reached it: that is what it sees, whichever
      // of the launcher's timer, the host's deadline or the handler's abort came first.
      this.reject(
        isTimeoutEnd(end) ? this.timeoutError() : (end.error ?? new SagaFailedError(end.sagaId, end.reason)),
      )
      return
    }
    const output = this.output.safeParse(end.output)
    if (output.success) this.resolve(output.data as O)
    else this.reject(new SagaFailedError(end.sagaId, `invalid output: ${describeSchemaError(output.error)}`))
  }

  /** The signal aborted (an EventListener object: no closure per call). */
  handleEvent(): void {
    if (!this.settle()) return
    this.reject(this.signal!.reason)
    this.sagas?.cancelSaga(this.sagaId)
  }

  /** As `AbortSignal.timeout` names its reason; the message names the value and its option. */
  private timeoutError(): DOMException {
    const option = this.isDefaultTimeout
      ? "the launcher's sagaTimeoutMs; give the call a timeoutMs, or Infinity for none"
      : 'its timeoutMs'
    return new DOMException(
      `call \`${this.name}\` timed out after ${this.timeoutMs} ms (${option})`,
      'TimeoutError',
    )
  }
}

/**
 * The call's lane: its definition's `key(input)`, a string. A key function that throws or returns
 * anything else is the caller's mistake: INVALID_COMMAND, nothing sent.
 */
function keyOf(name: string, def: CommandDefinition, input: unknown): string | undefined | HostPipeError {
  if (def.key === undefined) return undefined
  let key: unknown
  try {
    key = (def.key as (input: unknown) => unknown)(input)
  } catch (err) {
    return new HostPipeError(
      'INVALID_COMMAND',
      `call \`${name}\`: its key function threw: ${err instanceof Error ? err.message : String(err)}`,
    )
  }
  if (typeof key === 'string') return key
  return new HostPipeError(
    'INVALID_COMMAND',
    `call \`${name}\`: its key function must return a string, got ${key === null ? 'null' : typeof key}`,
  )
}

/**
 * A call's timeout in ms: a positive integer, or `Infinity` (and `0`, its other spelling) for
 * none; undefined takes the launcher's `sagaTimeoutMs`. Anything else is an INVALID_COMMAND.
 */
function callTimeoutOf(name: string, timeoutMs: number | undefined): number | undefined | HostPipeError {
  if (timeoutMs === undefined) return undefined
  if (timeoutMs === 0 || timeoutMs === Infinity) return Infinity
  if (Number.isInteger(timeoutMs) && timeoutMs > 0) return timeoutMs
  return new HostPipeError(
    'INVALID_COMMAND',
    `call \`${name}\`: timeoutMs must be a positive integer of ms, or Infinity (or 0) for none, got ${String(timeoutMs)}`,
  )
}
