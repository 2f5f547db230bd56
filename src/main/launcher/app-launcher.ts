import type { DiagnosticsSnapshot } from '../../shared/diagnostics'
import {
  describeSchemaError,
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
import {
  formatBytes,
  MAX_PAYLOAD_BYTES_LIMIT,
  DEFAULT_STREAM_WINDOW,
  type Event,
} from '../../shared/protocol'
import { SagaFailedError } from '../../shared/saga-failed-error'
import { findUnencodable } from '../../shared/wire-value'
import type { Logger } from '../base/logger'
import { HostPipeError } from '../host-pipe'
import type { DiagnosticsSource } from './diagnostics-source'
import { EventBus, type EventListener } from './event-bus'
import { createLauncher as composeLauncher, DEFAULT_STANDBY, type Launcher } from './launcher'
import {
  isTimeoutEnd,
  SAGA_TIMEOUT_MS,
  type SagaCoordinator,
  type SagaEnd,
  type StartSagaOptions,
} from './saga-coordinator'
import { ProgressRelay } from './progress-relay'
import { checkHostEntry, checkSpawnOptions } from './spawn-options'
import { spawnedHostLaunchError } from '../../shared/host-process-mark'
import { createHostOutputStderrLogger, createStderrLogger } from './stderr-logger'
import { StreamCall, type HostpipeStream } from './stream-call'
import {
  HOST_OUTPUTS,
  LauncherStoppedError,
  type AppLauncherOptions,
  type CallOptions,
  type HostOutput,
  type HostOutputSettings,
  type HostpipeLauncher,
  type LaunchRuntime,
  type StreamOptions,
} from './launcher-api'

/** What the diagnostics server and window need of a launcher; kept off the public type. */
export interface LauncherInternals {
  readonly source: DiagnosticsSource
  subscribeEvents(fn: (e: Event) => void): () => void
  readonly token: string
}

const internals = new WeakMap<object, () => LauncherInternals>()

/**
 * The diagnostics source of a launcher made by `createAppLauncher`, for `startDiagnosticsServer`
 * and `openDiagnosticsWindow`. Throws a TypeError for any other object, or before `start()`.
 */
export function launcherInternals(launcher: object): LauncherInternals {
  const get = internals.get(launcher)
  if (!get) throw new TypeError('not a hostpipe launcher (use createLauncher or createElectronLauncher)')
  return get()
}

/**
 * Builds the launcher of an embedding app on top of the composed launcher. `runtime` is called
 * for each launch (at once, and by each `start()` after a `stop()`) with where host output goes.
 * Throws a TypeError for a `hostEntry` that is no file path (see checkHostEntry), a `hostOutput`
 * that is not `'inherit'`, `'log'` or `'ignore'`, and for bad spawn options (see
 * checkSpawnOptions: `execArgv`, `env`, `cwd`, a fixed inspector port).
 */
export function createAppLauncher<D extends CommandDefinitions, E extends EventDefinitions>(
  opts: AppLauncherOptions<D, E>,
  runtime: (output: HostOutputSettings) => LaunchRuntime,
): HostpipeLauncher<D, E> {
  const launcher = new AppLauncher(opts, runtime)
  internals.set(launcher, () => launcher.internals())
  return launcher
}

/** `hostOutput`, checked; default `'log'`. */
function hostOutputOption(value: unknown): HostOutput {
  if (value === undefined) return 'log'
  if (HOST_OUTPUTS.includes(value as HostOutput)) return value as HostOutput
  throw new TypeError(`hostOutput must be one of ${HOST_OUTPUTS.join(', ')}, got ${JSON.stringify(value)}`)
}

/** `maxPayloadBytes`, checked; undefined keeps the launcher's default. */
function maxPayloadBytesOption(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 1024 &&
    value <= MAX_PAYLOAD_BYTES_LIMIT
  )
    return value
  throw new TypeError(
    `maxPayloadBytes must be an integer from 1,024 to ${formatBytes(MAX_PAYLOAD_BYTES_LIMIT)} (bytes), got ${String(value)}`,
  )
}

/** `maxQueuedBytes`, checked; undefined keeps the launcher's default. */
function maxQueuedBytesOption(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value
  throw new TypeError(`maxQueuedBytes must be a positive integer (bytes), got ${String(value)}`)
}

/** The most `streamWindow` may be: a window's chunks are buffered in each process. */
const MAX_STREAM_WINDOW = 65_536

/** `streamWindow`, checked; default DEFAULT_STREAM_WINDOW (16). */
function streamWindowOption(value: unknown): number {
  if (value === undefined) return DEFAULT_STREAM_WINDOW
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_STREAM_WINDOW)
    return value
  throw new TypeError(
    `streamWindow must be an integer from 1 to ${MAX_STREAM_WINDOW} (chunks), got ${String(value)}`,
  )
}

/** A call or stream checked and ready to start, or why not. */
interface PreparedCall {
  readonly def: CommandDefinition
  readonly input: Record<string, unknown>
  /** The caller's timeout: undefined when none was given. */
  readonly timeoutMs: number | undefined
  readonly key: string | undefined
}

class AppLauncher<D extends CommandDefinitions, E extends EventDefinitions> implements HostpipeLauncher<
  D,
  E
> {
  /** The current launch's parts; `start()` after `stop()` puts a fresh one here. */
  private core: Launcher
  private release: (() => void) | undefined
  /** A call's timeout when it gives none (the `sagaTimeoutMs` option). */
  private readonly sagaTimeoutMs: number
  private readonly commands: D
  private readonly streamWindow: number
  private readonly log: Logger
  private readonly bus: EventBus<E>
  private readonly makeLaunch: () => { core: Launcher; release: (() => void) | undefined }
  private readonly diagnosticsListeners = new Set<(s: DiagnosticsSnapshot) => void>()
  /** Each `onEvent` listener with its subscription to the current core. */
  private readonly eventListeners = new Map<(e: Event) => void, () => void>()
  private stopFeed: (() => void) | undefined
  private isStarted = false
  private isStopped = false
  /** The current launch's `start()` promise, shared by every `start()` until `stop()`. */
  private launching: Promise<void> | undefined
  private stopping: Promise<void> | undefined
  /** Counts `stop()`s: a launch that sees it change was stopped while it waited. */
  private stopCount = 0

  constructor(opts: AppLauncherOptions<D, E>, runtime: (output: HostOutputSettings) => LaunchRuntime) {
    checkHostEntry(opts.hostEntry)
    this.commands = opts.commands
    this.streamWindow = streamWindowOption(opts.streamWindow)
    this.sagaTimeoutMs = opts.sagaTimeoutMs ?? SAGA_TIMEOUT_MS
    const output = hostOutputOption(opts.hostOutput)
    const maxPayloadBytes = maxPayloadBytesOption(opts.maxPayloadBytes)
    const maxQueuedBytes = maxQueuedBytesOption(opts.maxQueuedBytes)
    const hostSpawn = checkSpawnOptions(opts, DEFAULT_STANDBY)
    const log = opts.log ?? createStderrLogger('warn')
    this.log = log
    this.bus = new EventBus(opts.events, log)
    const hostLog = opts.log ?? createHostOutputStderrLogger()
    this.makeLaunch = () => {
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
    }
    ;({ core: this.core, release: this.release } = this.makeLaunch())
  }

  get apiToken(): string {
    return this.core.apiToken
  }

  start(): Promise<void> {
    this.launching ??= this.launch(this.stopCount)
    return this.launching
  }

  private async launch(stopCount: number): Promise<void> {
    const spawnedHost = spawnedHostLaunchError(process.env)
    if (spawnedHost) throw spawnedHost
    if (this.stopping) {
      // Started again after stop(): the stopped launch's parts are gone before new ones are made.
      await this.stopping
      if (stopCount !== this.stopCount) throw new LauncherStoppedError()
      this.renewCore()
    }
    const core = this.core
    this.isStarted = true
    try {
      await core.start()
    } catch (err) {
      if (stopCount !== this.stopCount) throw new LauncherStoppedError()
      // The host gave up: release what the start took, so nothing keeps the process alive.
      await this.stop()
      throw err
    }
    if (stopCount !== this.stopCount) throw new LauncherStoppedError()
    this.stopFeed = core.diagnostics.subscribe((s) => {
      for (const fn of this.diagnosticsListeners) fn(s)
    })
  }

  /** A fresh launch after a stopped one: new parts, the app's listeners moved over. */
  private renewCore(): void {
    ;({ core: this.core, release: this.release } = this.makeLaunch())
    this.stopping = undefined
    this.isStopped = false
    for (const fn of this.eventListeners.keys()) this.eventListeners.set(fn, this.core.subscribeEvents(fn))
  }

  call<K extends CallCommandNameOf<D>>(
    name: K,
    input: CommandInput<D, K>,
    options: CallOptions<CommandProgress<D, K>> = {},
  ): Promise<CommandOutput<D, K>> {
    const prepared = this.prepare(name, input, options, 'call')
    if (!('def' in prepared)) return Promise.reject(prepared.error)
    const { def, timeoutMs } = prepared
    const onProgress = options.onProgress as ((value: unknown) => void) | undefined
    const progress =
      typeof onProgress === 'function'
        ? new ProgressRelay(name, def.progress, onProgress, this.log)
        : undefined
    const call = new PendingCall<CommandOutput<D, K>>(
      name,
      def.output,
      timeoutMs ?? this.sagaTimeoutMs,
      timeoutMs === undefined,
      def.retry === true,
      options.signal,
      prepared.key,
      progress,
    )
    const promise = call.promise()
    const core = this.core
    try {
      call.sagaId = core.sagas.startSaga({ cmd: 'custom', name, input: prepared.input }, call)
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
      sagaId = core.sagas.startSaga({ cmd: 'custom', name, input: prepared.input }, stream)
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
    // What the schema accepts but JSON cannot carry (a Date, a Map, a BigInt…) is refused here,
    // before anything is sent, rather than arriving changed or failing on the host.
    const unencodable = findUnencodable(parsed.data, 'input')
    if (unencodable !== undefined)
      return {
        error: new HostPipeError(
          'INVALID_COMMAND',
          `invalid input for \`${name}\`: ${unencodable}; see "What travels" in hostpipe's README`,
        ),
      }
    const signal = options.signal
    if (signal?.aborted) return { error: signal.reason }
    if (!this.isStarted || this.isStopped)
      return {
        error: new Error(
          `launcher ${this.isStopped ? 'stopped' : 'not started'}: cannot ${method} \`${name}\` (${this.isStopped ? 'start() launches it again' : 'call start() first'})`,
        ),
      }
    const timeoutMs = callTimeoutOf(name, options.timeoutMs)
    if (timeoutMs instanceof HostPipeError) return { error: timeoutMs }
    const key = keyOf(name, def, parsed.data)
    if (key instanceof HostPipeError) return { error: key }
    return { def, input: parsed.data as Record<string, unknown>, timeoutMs, key }
  }

  diagnostics(): DiagnosticsSnapshot {
    return this.core.diagnostics.snapshot()
  }

  onEvent(fn: (event: Event) => void): () => void {
    // Wrapped: the same function subscribed twice is two subscriptions.
    const listener = (e: Event): void => fn(e)
    this.eventListeners.set(listener, this.core.subscribeEvents(listener))
    return () => {
      this.eventListeners.get(listener)?.()
      this.eventListeners.delete(listener)
    }
  }

  onDiagnostics(fn: (snapshot: DiagnosticsSnapshot) => void): () => void {
    // Wrapped: the same function subscribed twice is two subscriptions.
    const listener = (s: DiagnosticsSnapshot): void => fn(s)
    this.diagnosticsListeners.add(listener)
    return () => this.diagnosticsListeners.delete(listener)
  }

  stop(): Promise<void> {
    this.stopCount++
    this.launching = undefined
    this.isStopped = true
    this.stopping ??= this.shutdown()
    return this.stopping
  }

  private async shutdown(): Promise<void> {
    this.stopFeed?.()
    this.stopFeed = undefined
    await this.core.dispose()
    this.release?.()
    this.release = undefined
  }

  internals(): LauncherInternals {
    return {
      source: this.core.diagnostics,
      subscribeEvents: (fn) => this.core.subscribeEvents(fn),
      token: this.core.apiToken,
    }
  }
}

/**
 * One `call` waiting for its saga: the coordinator's listener (`onEnd`, `onTimeout`) and the
 * signal's, in one object, so a call costs its promise and this, not a closure per outcome.
 */
const ignore = (): void => undefined
/** The call whose promise is being made (see `PendingCall.promise`); set just before. */
let capturing: PendingCall<unknown> | undefined
function captureSettlers(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  capturing!.resolve = resolve
  capturing!.reject = reject
  capturing = undefined
}

class PendingCall<O> implements StartSagaOptions {
  sagaId = 0
  private isSettled = false
  private sagas: Pick<SagaCoordinator, 'cancelSaga'> | undefined

  constructor(
    private readonly name: string,
    private readonly output: z.ZodType,
    readonly timeoutMs: number,
    /** The call gave no `timeoutMs`: the launcher's `sagaTimeoutMs` applies. */
    private readonly isDefaultTimeout: boolean,
    readonly retry: boolean,
    private readonly signal: AbortSignal | undefined,
    /** Its lane (the definition's `key(input)`), or undefined: side by side with any other. */
    readonly key: string | undefined,
    /** Hands its progress values to `onProgress`; undefined when the caller gave none. */
    private readonly progress: ProgressRelay | undefined,
  ) {}

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
