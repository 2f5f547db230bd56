import type { DiagnosticsSnapshot, TransportKind } from '../../shared/diagnostics'
import {
  describeSchemaError,
  type CommandDefinitions,
  type CommandInput,
  type CommandNameOf,
  type CommandOutput,
} from '../../shared/define-commands'
import { REASON_DEADLINE_EXCEEDED, type Event } from '../../shared/protocol'
import { SagaFailedError } from '../../shared/saga-failed-error'
import type { Logger } from '../base/logger'
import { HostPipeError } from '../host-pipe'
import type { DiagnosticsSource } from './diagnostics-source'
import { createLauncher as composeLauncher, type Launcher } from './launcher'
import type { HostSpawner } from './host-spawner'
import { REASON_SAGA_TIMEOUT, type SagaEnd } from './saga-coordinator'

/** Options of `call`. */
export interface CallOptions {
  /**
   * How long the caller waits, in ms, counted from the call: also the saga's deadline (§8) that
   * the host's handler sees as `ctx.deadline`. A positive integer; default the launcher's
   * `sagaTimeoutMs` (5000).
   */
  timeoutMs?: number
  /** Aborting it makes `call` reject at once with `signal.reason` and cancels the saga. */
  signal?: AbortSignal
}

/**
 * The launcher options an embedding app gives (ARCHITECTURE §9); every one but `hostEntry` and
 * `commands` is defaulted as the CLI is.
 */
export interface AppLauncherOptions<D extends CommandDefinitions> {
  /** Absolute path of the host entry file: a JS file whose code calls `runHost`. */
  hostEntry: string
  /** The app's commands (`defineCommands`), the same object the host serves. */
  commands: D
  /** `pipe` (a private Unix socket or Windows named pipe, default) or `port` (a process channel). */
  transport?: TransportKind
  /** A saga's timeout in ms when `call` gives none. Default 5000 (AgentMux's). */
  sagaTimeoutMs?: number
  /** Host losses within 60 s before the launcher gives up restarting it. Default 5. */
  maxRestarts?: number
  /** `start()` rejects with HostStartError `START_TIMEOUT` if no host registered by then (ms). Default 15 000; 0 waits. */
  startTimeoutMs?: number
  /**
   * Warm standby hosts kept spawned and registered, promoted at once when the active host is lost
   * (ARCHITECTURE §8, as Chromium keeps a spare renderer). Default 1; 0 turns standby off.
   */
  standby?: number
  /** A host silent this long (ms) with work outstanding is killed and replaced. Default 5000; 0 off. */
  unresponsiveMs?: number
  /** Extra argv for each host, e.g. `['--host-delay-ms', '5']`. Default none. */
  hostArgs?: string[]
  /** Where the launcher logs (`debug`/`info`/`warn`/`error`). Default: nowhere. */
  log?: Logger
}

/**
 * A running hostpipe launcher with an app's commands (ARCHITECTURE §9): created by
 * `createLauncher` (`hostpipe/node`) or `createElectronLauncher` (`hostpipe/electron`).
 */
export interface HostpipeLauncher<D extends CommandDefinitions> {
  /**
   * Starts the IPC server and the first host; resolves once that host has registered. Rejects
   * when the host fails on every start (`maxRestarts`), or when the launcher is stopped first.
   */
  start(): Promise<void>
  /**
   * Runs one saga of command `name` with `input` and resolves with the handler's output (parsed
   * by the command's `output` schema). Rejects with:
   * - `HostPipeError` code `INVALID_COMMAND` before anything is sent, when `name` was never
   *   defined or `input` fails the command's `input` schema (the message names the field);
   * - `SagaFailedError` (`.sagaId`, `.reason`) when the saga ended with `saga_failed`, e.g. the
   *   handler threw (its message is the reason);
   * - `signal.reason` (an `AbortError` DOMException unless you gave another) at once when
   *   `signal` aborts, or a `TimeoutError` DOMException at once when `timeoutMs` passes, as
   *   `fetch` does; the saga is then cancelled (`cancel_saga`) and still ends with the truth in
   *   the events and the diagnostics;
   * - `Error` when the launcher has not been started or is stopped.
   */
  call<K extends CommandNameOf<D>>(
    name: K,
    input: CommandInput<D, K>,
    options?: CallOptions,
  ): Promise<CommandOutput<D, K>>
  /** The diagnostics feed of §5 now, as a plain object. Throws before `start()`. */
  diagnostics(): DiagnosticsSnapshot
  /** Calls `fn` with every launcher event (§2: sagas, pipe failures, …). Returns an unsubscribe. */
  onEvent(fn: (event: Event) => void): () => void
  /**
   * Calls `fn` with the §5 feed whenever it changed (at most every ~50 ms, never while nothing
   * changes), from `start()` on. Returns an unsubscribe function.
   */
  onDiagnostics(fn: (snapshot: DiagnosticsSnapshot) => void): () => void
  /**
   * The diagnostics API token (256 random bits per launch): what tools (`register{kind:"tool"}`)
   * and the HTTP API present. Hosts have a secret of their own (env HOSTPIPE_TOKEN), refused here.
   */
  readonly apiToken: string
  /**
   * Stops the host(s) (SIGTERM, then SIGKILL after a grace period), closes the server and its
   * socket, clears every timer; open sagas fail (`saga coordinator disposed`), so pending calls
   * reject. Leaves no process or handle: a Node program whose last statement is
   * `await launcher.stop()` exits by itself. Idempotent.
   */
  stop(): Promise<void>
}

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

/** Builds the launcher of an embedding app on top of the composed launcher, with `spawner`. */
export function createAppLauncher<D extends CommandDefinitions>(
  opts: AppLauncherOptions<D>,
  spawner: HostSpawner,
  /** Runs once the launcher has stopped (the runtime adapter's own cleanup). */
  afterStop?: () => void,
): HostpipeLauncher<D> {
  const launcher = new AppLauncher(opts, spawner, afterStop)
  internals.set(launcher, () => launcher.internals())
  return launcher
}

class AppLauncher<D extends CommandDefinitions> implements HostpipeLauncher<D> {
  private readonly core: Launcher
  private readonly commands: D
  private readonly diagnosticsListeners = new Set<(s: DiagnosticsSnapshot) => void>()
  private stopFeed: (() => void) | undefined
  private isStarted = false
  private isStopped = false
  private stopping: Promise<void> | undefined

  constructor(
    opts: AppLauncherOptions<D>,
    spawner: HostSpawner,
    private readonly afterStop: (() => void) | undefined,
  ) {
    this.commands = opts.commands
    this.core = composeLauncher({
      spawner,
      transport: opts.transport,
      hostArgs: opts.hostArgs,
      sagaTimeoutMs: opts.sagaTimeoutMs,
      maxRestarts: opts.maxRestarts,
      startTimeoutMs: opts.startTimeoutMs,
      standby: opts.standby,
      unresponsiveMs: opts.unresponsiveMs,
      log: opts.log,
    })
  }

  get apiToken(): string {
    return this.core.apiToken
  }

  async start(): Promise<void> {
    if (this.isStopped) throw new Error('launcher stopped')
    this.isStarted = true
    await this.core.start()
    if (this.isStopped) return
    this.stopFeed = this.core.diagnostics.subscribe((s) => {
      for (const fn of this.diagnosticsListeners) fn(s)
    })
  }

  call<K extends CommandNameOf<D>>(
    name: K,
    input: CommandInput<D, K>,
    options: CallOptions = {},
  ): Promise<CommandOutput<D, K>> {
    const def = Object.prototype.hasOwnProperty.call(this.commands, name) ? this.commands[name] : undefined
    if (!def) {
      const known = Object.keys(this.commands).join(', ') || 'none'
      return Promise.reject(
        new HostPipeError('INVALID_COMMAND', `unknown command \`${String(name)}\` (defined: ${known})`),
      )
    }
    const parsed = def.input.safeParse(input)
    if (!parsed.success)
      return Promise.reject(
        new HostPipeError(
          'INVALID_COMMAND',
          `invalid input for \`${name}\`: ${describeSchemaError(parsed.error)}`,
        ),
      )
    const signal = options.signal
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (!this.isStarted || this.isStopped)
      return Promise.reject(
        new Error(`launcher ${this.isStopped ? 'stopped' : 'not started'}: cannot call \`${name}\``),
      )
    return new Promise<CommandOutput<D, K>>((resolve, reject) => {
      let isSettled = false
      let sagaId = 0
      const settle = (): boolean => {
        if (isSettled) return false
        isSettled = true
        signal?.removeEventListener('abort', onAbort)
        return true
      }
      const onAbort = (): void => {
        if (!settle()) return
        reject(signal!.reason)
        this.core.sagas.cancelSaga(sagaId)
      }
      const onTimeout = (): void => {
        if (settle()) reject(timeoutError(name, timeoutMs))
      }
      const onEnd = (end: SagaEnd): void => {
        if (!settle()) return
        if (!end.ok) {
          reject(
            isTimeoutReason(end.reason)
              ? timeoutError(name, timeoutMs)
              : new SagaFailedError(sagaId, end.reason),
          )
          return
        }
        const output = def.output.safeParse(end.output)
        if (output.success) resolve(output.data as CommandOutput<D, K>)
        else reject(new SagaFailedError(sagaId, `invalid output: ${describeSchemaError(output.error)}`))
      }
      const timeoutMs = options.timeoutMs
      try {
        sagaId = this.core.sagas.startSaga(
          { cmd: 'custom', name, input: parsed.data as Record<string, unknown> },
          // A kind defined with `retry: true` is re-sent to the next host if its host is lost (§8).
          { timeoutMs, onEnd, onTimeout, retry: def.retry === true },
        )
      } catch (err) {
        settle()
        reject(err)
        return
      }
      if (!isSettled) signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  diagnostics(): DiagnosticsSnapshot {
    return this.core.diagnostics.snapshot()
  }

  onEvent(fn: (event: Event) => void): () => void {
    return this.core.subscribeEvents(fn)
  }

  onDiagnostics(fn: (snapshot: DiagnosticsSnapshot) => void): () => void {
    // Wrapped: the same function subscribed twice is two subscriptions.
    const listener = (s: DiagnosticsSnapshot): void => fn(s)
    this.diagnosticsListeners.add(listener)
    return () => this.diagnosticsListeners.delete(listener)
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown()
    return this.stopping
  }

  private async shutdown(): Promise<void> {
    this.isStopped = true
    this.stopFeed?.()
    this.stopFeed = undefined
    this.diagnosticsListeners.clear()
    await this.core.dispose()
    this.afterStop?.()
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
 * The saga ended because its timeout passed: the launcher's timer (`saga timeout`) or, racing it
 * by a few ms, the host's deadline (`deadline exceeded`). Either way the caller's `timeoutMs`
 * passed first, so `call` rejects with a TimeoutError, as `fetch` does with `AbortSignal.timeout`.
 */
function isTimeoutReason(reason: string): boolean {
  return reason === REASON_SAGA_TIMEOUT || reason === REASON_DEADLINE_EXCEEDED
}

/** What `call` rejects with when its timeout passes, as `AbortSignal.timeout` names its reason. */
function timeoutError(name: string, timeoutMs: number | undefined): DOMException {
  const after = timeoutMs === undefined ? 'its saga timeout' : `${timeoutMs} ms`
  return new DOMException(`call \`${name}\` timed out after ${after}`, 'TimeoutError')
}
