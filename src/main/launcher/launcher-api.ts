import type { DiagnosticsSnapshot, TransportKind } from '../../shared/diagnostics'
import type {
  CallCommandNameOf,
  CommandChunk,
  CommandDefinitions,
  CommandInput,
  CommandOutput,
  CommandProgress,
  StreamCommandNameOf,
} from '../../shared/define-commands'
import type { EventDefinitions, EventNameOf } from '../../shared/define-events'
import type { Event } from '../../shared/protocol'
import type { Logger } from '../base/logger'
import type { EventListener } from './event-bus'
import type { HostSpawner } from './host-spawner'
import type { HostpipeStream } from './stream-call'

export type { HostpipeStream } from './stream-call'
export type { EventOrigin } from './launcher-streams'
export type { EventListener } from './event-bus'

// The public face of a launcher: its options, `call`'s options and the methods an app uses
// (docs/embedding.md). `app-launcher.ts` implements it.

/**
 * Options of `call`.
 *
 * @category API
 */
export interface CallOptions<P = unknown> {
  /**
   * How long the caller waits, in ms, counted from the call: also the saga's deadline (docs/protocol.md#deadlines) that
   * the host's handler sees as `ctx.deadline`. A positive integer; default the launcher's
   * `sagaTimeoutMs` (5000).
   */
  timeoutMs?: number
  /** Aborting it makes `call` reject at once with `signal.reason` and cancels the saga. */
  signal?: AbortSignal
  /**
   * Gets the handler's progress values (`ctx.progress(value)`, parsed by the command's `progress`
   * schema), in the order sent and all before the call settles, on a later macrotask. A caller
   * that falls behind skips intermediate values (at most one is held per call). A value failing
   * the schema is dropped and logged once per call. A listener that throws is logged.
   */
  onProgress?: (value: P) => void
}

/**
 * Options of `stream`.
 *
 * @category API
 */
export interface StreamOptions<P = unknown> {
  /**
   * How long the whole stream may take, in ms, counted from the call: also the saga's deadline
   * the handler sees. A positive integer; default none (Infinity), whatever `sagaTimeoutMs` says.
   * When it passes, the iterator and `result` reject with a `TimeoutError` DOMException.
   */
  timeoutMs?: number
  /**
   * Aborting it cancels the stream: the handler's `ctx.signal` fires and its generator's `finally`
   * blocks run; the iterator and `result` reject with `signal.reason`.
   */
  signal?: AbortSignal
  /**
   * Gets the handler's progress values (`ctx.progress(value)`, parsed by the command's `progress`
   * schema), as `call`'s `onProgress` does: in the order sent, all before `result` settles and
   * the loop ends, on a later macrotask, intermediate values skipped when the caller falls behind
   * (at most one is held). Independent of the chunks: a value may come before or after a chunk
   * the handler yielded before reporting it.
   */
  onProgress?: (value: P) => void
}

/**
 * The launcher options an embedding app gives (docs/embedding.md); every one but `hostEntry` and
 * `commands` is defaulted as the CLI is.
 * @category API
 */
export interface AppLauncherOptions<
  D extends CommandDefinitions,
  E extends EventDefinitions = Record<never, never>,
> {
  /**
   * Absolute path of the host entry file: a JS file whose code calls `runHost`. A `file:` URL is
   * refused with a TypeError (convert it with `fileURLToPath`).
   */
  hostEntry: string
  /** The app's commands (`defineCommands`), the same object the host serves. */
  commands: D
  /**
   * The app's events (`defineEvents`), the same object the host emits: what `on` accepts and how
   * each payload is checked. Default none: every event from a host is dropped and counted.
   */
  events?: E
  /**
   * Chunks of one stream the host's generator may have yielded and the caller's loop not yet
   * taken, those in transit included (docs/protocol.md#streams): beyond it the generator waits at
   * its `yield`, so a slow consumer bounds both processes' memory. An integer from 1 to 65,536;
   * default 16.
   */
  streamWindow?: number
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
   * (docs/launcher.md, as Chromium keeps a spare renderer). Default 1; 0 turns standby off.
   */
  standby?: number
  /**
   * Active hosts in a pool (docs/parallel-work.md#a-pool-of-hosts): slots 0…N−1, each supervised
   * on its own, `start()` resolving once each has registered. An unkeyed call goes to the
   * connected, non-busy host with the fewest calls outstanding, a keyed one to its key's host; the
   * standbys are the pool's, promoted into whichever slot lost its host. A positive integer;
   * default 1. Each host costs its own process (its RSS, see the README's "Parallel work").
   */
  hosts?: number
  /** A host silent this long (ms) with work outstanding is killed and replaced. Default 5000; 0 off. */
  unresponsiveMs?: number
  /** Extra argv for each host, e.g. `['--host-delay-ms', '5']`. Default none. */
  hostArgs?: string[]
  /**
   * App calls one host runs at once (docs/parallel-work.md); more wait in the launcher, in call
   * order. An open stream counts as one. Synchronous handlers still share the host's one thread.
   * A positive integer; default 64.
   */
  concurrency?: number
  /**
   * App calls that may wait in the launcher (for room on a host, or behind a call with the same
   * key); one more rejects at once with HostPipeError `QUEUE_FULL`, nothing sent. Calls handed to
   * a host do not count. A positive integer; default 10,000.
   */
  maxQueued?: number
  /**
   * Bytes of app calls that may wait in the launcher: the `byteLength`s of the `Uint8Array`s (a
   * `Buffer` included) in the inputs of calls waiting for room on a host, behind a call with the
   * same key, or in the outage buffer, all added up. A call that would wait and pass it rejects at
   * once with HostPipeError `QUEUE_FULL` (the message names its bytes, the bytes waiting and the
   * limit), nothing sent; calls handed to a host do not count (docs/protocol.md#payload-size). A
   * positive integer; default 268,435,456 (256 MiB); anything else is a TypeError naming the option.
   */
  maxQueuedBytes?: number
  /**
   * The outage buffer: calls kept while no host is connected at all (drop-oldest: the oldest
   * fails `dropped from the outage buffer…`), each for up to 30 s. A positive integer; default 64.
   */
  bufferCapacity?: number
  /**
   * Where the launcher logs (`debug`/`info`/`warn`/`error`), and with `hostOutput: 'log'` each line
   * the host writes to stdout or stderr, prefixed `[host <pid>]`. Default: stderr (never stdout),
   * lines prefixed `hostpipe: `, the launcher's warnings and errors and the host's output.
   */
  log?: Logger
  /**
   * Where the host's stdout and stderr go: `'log'` (default) line by line to `log`, each line cut
   * at 64 KiB so a flooding host cannot grow the launcher's memory; `'inherit'` straight to this
   * process's stdout and stderr; `'ignore'` nowhere.
   */
  hostOutput?: HostOutput
  /**
   * The most one call's input or output may take once encoded as its frame, in bytes, JSON text
   * and envelope included (docs/protocol.md#payload-size). An integer from 1024 to 268,435,456
   * (256 MiB); default 67,108,864 (64 MiB). A larger input makes `call` reject at once with
   * `HostPipeError` code `PAYLOAD_TOO_LARGE`, nothing sent; a larger output fails that call alone
   * (`SagaFailedError` whose reason names both sizes) and the host keeps serving. Anything else
   * here is a TypeError naming the option.
   */
  maxPayloadBytes?: number
  /**
   * Node flags for each host, before its entry: e.g. `['--max-old-space-size=4096']`, or
   * `['--inspect=0']` to debug it (docs/launcher.md#debugging-a-host). A host whose flags hold
   * `--inspect`, `--inspect-brk`, `--inspect-wait` or `--inspect-port` (any form) may sit paused
   * in a debugger: it gets no start, register or liveness timeout and no start-failure count, and
   * the log says so once (info). Default none: the launcher's own flags are not inherited.
   * `createLauncher` throws a TypeError when it is not an array of strings, and when it fixes the
   * inspector port (any port but 0; a bare `--inspect` is 9229) while more than one host runs at
   * once (`standby` > 0, the default, or a pool): use `--inspect=0` or `standby: 0`.
   */
  execArgv?: readonly string[]
  /**
   * Variables for each host, merged over the launcher's own `process.env` (which hosts inherit);
   * the launcher's own HOSTPIPE_* variables (transport, token, socket, spawn id, role) always win.
   * Default none. A TypeError when it is not an object of strings.
   */
  env?: Readonly<Record<string, string>>
  /**
   * Each host's working directory (`hostEntry` is resolved before, so it is not affected).
   * Default the launcher's. A TypeError when it is not a non-empty string; when it is not a
   * directory, each spawn fails and `start()` rejects with HostStartError `SPAWN_FAILED` naming it.
   */
  cwd?: string
}

/**
 * The options of `createElectronLauncher`: those of `createLauncher`, and `serviceName`.
 * @category API
 */
export interface ElectronLauncherOptions<
  D extends CommandDefinitions,
  E extends EventDefinitions = Record<never, never>,
> extends AppLauncherOptions<D, E> {
  /**
   * Names the hosts' utility processes: each host's `serviceName` is this plus `-<slot>-<n>`
   * (`n` counts spawns), so a crash report or `child-process-gone` names its host. Default
   * `hostpipe-host`. A TypeError when it is not a non-empty string.
   */
  serviceName?: string
}

/** Where a host's stdout and stderr go (`AppLauncherOptions.hostOutput`). */
export type HostOutput = 'inherit' | 'log' | 'ignore'
export const HOST_OUTPUTS: readonly HostOutput[] = ['inherit', 'log', 'ignore']

/** What a runtime adapter needs to start one launch's hosts. */
export interface HostOutputSettings {
  output: HostOutput
  /** Where host lines go with `output: 'log'`, and the spawner's own messages. */
  log: Logger
}

/** What a runtime adapter provides for one launch: its spawner, and what to undo once it stopped. */
export interface LaunchRuntime {
  spawner: HostSpawner
  /** Runs once the launch has stopped (the adapter's own cleanup). */
  release?(): void
}

/**
 * Thrown by `start()` when `stop()` came before the host registered.
 *
 * @category Errors
 */
export class LauncherStoppedError extends Error {
  override readonly name = 'LauncherStoppedError'
  constructor(message = 'launcher stopped before its host registered') {
    super(message)
  }
}

/**
 * A running hostpipe launcher with an app's commands (docs/embedding.md): created by
 * `createLauncher` (`hostpipe/node`) or `createElectronLauncher` (`hostpipe/electron`).
 * @category API
 */
export interface HostpipeLauncher<
  D extends CommandDefinitions,
  E extends EventDefinitions = Record<never, never>,
> {
  /**
   * Starts the IPC server and the first host; resolves once that host has registered. Called
   * again while starting it returns the same promise; once started, one that resolves at once.
   * Rejects when the host fails on every start (`maxRestarts`): everything the start took is
   * then released, as by `stop()`, so the program can exit without calling `stop()`. Rejects with
   * `LauncherStoppedError` when `stop()` comes first. After `stop()` it starts a fresh launch (a
   * new server, host, `apiToken` and diagnostics feed); `onEvent` and `onDiagnostics` listeners
   * carry over.
   */
  start(): Promise<void>
  /**
   * Runs one saga of command `name` with `input` and resolves with the handler's output (parsed
   * by the command's `output` schema). Rejects with:
   * - `HostPipeError` code `INVALID_COMMAND` before anything is sent, when `name` was never
   *   defined, is a stream command (use `stream`), or `input` fails the command's `input` schema
   *   (the message names the field);
   * - `HostPipeError` code `PAYLOAD_TOO_LARGE` before anything is sent, when the encoded input is
   *   larger than `maxPayloadBytes` (the message names both sizes);
   * - `SagaFailedError` (`.sagaId`, `.reason`) when the saga ended with `saga_failed`, e.g. the
   *   handler threw (its message is the reason);
   * - `signal.reason` (an `AbortError` DOMException unless you gave another) at once when
   *   `signal` aborts, or a `TimeoutError` DOMException at once when `timeoutMs` passes, as
   *   `fetch` does; the saga is then cancelled (`cancel_saga`) and still ends with the truth in
   *   the events and the diagnostics;
   * - `Error` when the launcher has not been started or is stopped.
   */
  call<K extends CallCommandNameOf<D>>(
    name: K,
    input: CommandInput<D, K>,
    options?: CallOptions<CommandProgress<D, K>>,
  ): Promise<CommandOutput<D, K>>
  /**
   * Runs stream command `name` (its definition gives `stream`) and returns its chunks as an
   * `AsyncIterable`, in order, each once, parsed by the `stream` schema, with `result` (the
   * generator's return value). Never throws: what `call` would reject with, the iterator's first
   * `next()` and `result` reject with (`INVALID_COMMAND` also for a command without `stream`: use
   * `call`). At most `streamWindow` chunks are yielded by the host and not yet taken by the loop.
   * An open stream counts as one call toward `concurrency`; it is never retried. Ends:
   * - the generator returned: the loop ends, `result` resolves;
   * - the loop was left early (`break`, `return`, a throw) or `signal` aborted: the stream is
   *   cancelled (`cancel_saga`: the handler's `ctx.signal` fires, its `finally` blocks run) and
   *   `result` rejects with an `AbortError` DOMException (`signal.reason` for an abort, which the
   *   iterator rejects with too);
   * - `timeoutMs` passed: both reject with a `TimeoutError` DOMException;
   * - the handler threw, a chunk failed the schema (the reason names its index and field), or the
   *   host was lost: both reject with `SagaFailedError`, after the chunks already received.
   */
  stream<K extends StreamCommandNameOf<D>>(
    name: K,
    input: CommandInput<D, K>,
    options?: StreamOptions<CommandProgress<D, K>>,
  ): HostpipeStream<CommandChunk<D, K>, CommandOutput<D, K>>
  /**
   * Calls `fn(payload, { hostPid, slot })` with every event `name` the active host emits
   * (`emit`, `ctx.emit`), payload parsed by its schema in `events`; synchronously, in the order
   * emitted, so the events a handler emits before it returns come before its call settles. Events
   * from a standby or a host already written off, of an unknown name or with a bad payload are
   * dropped and counted (`eventsDropped` in the diagnostics). Returns the unsubscribe function;
   * listeners carry over a `stop()` and `start()`. Throws a TypeError for a name not in `events`.
   */
  on<K extends EventNameOf<E>>(name: K, fn: EventListener<E, K>): () => void
  /** The diagnostics feed (docs/panel.md) now, as a plain object. Throws before `start()`. */
  diagnostics(): DiagnosticsSnapshot
  /** Calls `fn` with every launcher event (docs/protocol.md: sagas, pipe failures, …). Returns an unsubscribe. */
  onEvent(fn: (event: Event) => void): () => void
  /**
   * Calls `fn` with the diagnostics feed (docs/panel.md) whenever it changed (at most every ~50 ms, never while nothing
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
   * socket, clears every timer; pending calls reject with `SagaFailedError` whose reason says the
   * launcher stopped, and a `start()` still waiting rejects with `LauncherStoppedError`. Leaves no
   * process or handle: a Node program whose last statement is `await launcher.stop()` exits by
   * itself. Idempotent until the next `start()`.
   */
  stop(): Promise<void>
}
