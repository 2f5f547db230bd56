import { appendFileSync } from 'node:fs'
import { agentMuxAdapterOf } from '../../shared/agentmux-commands'
import type { CommandDefinitions } from '../../shared/define-commands'
import type { EventDefinitions, EventNameOf, EventPayloadInput } from '../../shared/define-events'
import { setUnexpectedErrorHandler } from '../base/unexpected-error'
import { DefinedCommandDispatcher, type CommandHandlersOf, type NoEvents } from './defined-command-dispatcher'
import { HandlerChannel } from './handler-channel'
import { parseHostConfig } from './host-config'
import { HostRuntime } from './host-runtime'
import { hasPortChannel, openLauncherConnection } from './launcher-connection'
import { LivenessWorker } from './liveness-worker'
import { watchParent } from './parent-watch'
import { stderrLogger } from './stderr-logger'
import { markRunHost } from '../../shared/host-process-mark'

/** How long a stopping host waits for its goodbye to be flushed before it exits anyway. */
const STOP_GRACE_MS = 1000

/**
 * What `runHost` serves.
 *
 * @category API
 */
export interface RunHostOptions<D extends CommandDefinitions, E extends EventDefinitions = NoEvents> {
  /**
   * The commands this host serves (`defineCommands`, the same object the launcher was given; or
   * `agentMuxCommands` for the AgentMux ones, alone or spread beside the app's). The host serves
   * these and no other: any other command fails its saga at once with the reason
   * ``host does not define command `NAME` ``.
   */
  commands: D
  /**
   * The events this host may emit (`defineEvents`, the same object the launcher was given).
   * Default: none.
   */
  events?: E
  /**
   * One handler per command: `(input, { signal, deadline, sagaId, progress, emit }) => output`,
   * sync or async; for a stream command an async generator function that yields its chunks and
   * returns its output.
   */
  handlers: CommandHandlersOf<D, E>
}

/**
 * The running host `runHost` resolves to.
 *
 * @category API
 */
export interface RunningHost<E extends EventDefinitions = NoEvents> {
  /**
   * Emits app event `name` to the launcher (`launcher.on(name, fn)` there), sent at once, in
   * order with everything else this host sends. Throws a TypeError when the event was not given
   * in `events`, or its payload fails the event's schema or cannot travel.
   */
  emit<N extends EventNameOf<E>>(name: N, payload: EventPayloadInput<E, N>): void
}

/**
 * Runs this process as a hostpipe host (docs/launcher.md, docs/embedding.md): connects to the
 * launcher that spawned it (socket or port, from the environment it set: HOSTPIPE_PIPE,
 * HOSTPIPE_TOKEN, …), registers with features `ack`, `deadline`, `streams`, `per_call_ack` (unless
 * it serves the AgentMux commands) and, when it serves a command of the app's own, (on a socket)
 * `liveness_worker`, and executes commands through `handlers` (input and output checked by their
 * schemas; an output the wire cannot carry fails the call, naming the field). With `per_call_ack`
 * an app command starts as soon as it arrives, beside those still running, and is reported when it
 * ends; the AgentMux commands (and every command of a host without `per_call_ack`) run one at a
 * time in arrival order. Whatever a handler throws fails only its call, with the thrown value's
 * `message` (or a description) as the reason. Honours `--host-delay-ms N` (argv), HOSTPIPE_RECORD
 * (one `<seq> <saga_id>` line per completed command), `cancel_saga` and deadlines. Works under
 * Electron's `utilityProcess.fork` and Node's `child_process.spawn`.
 *
 * The process exits by itself: code 0 when the launcher closes the connection or goes away
 * (SIGTERM too), 1 when the launcher refused it, 2 on a bad environment (message on stderr).
 * Throws a TypeError at once when a command has no handler or a handler no definition.
 * Resolves, once the launcher has accepted the registration, to the running host (`emit`).
 * @category API
 */
export async function runHost<
  const D extends CommandDefinitions,
  const E extends EventDefinitions = NoEvents,
>(options: RunHostOptions<D, E>): Promise<RunningHost<E>> {
  markRunHost()
  const channel = new HandlerChannel(options.events)
  const dispatcher = new DefinedCommandDispatcher(options.commands, options.handlers, channel)
  const log = stderrLogger(`[host ${process.pid}]`, process.env.HOSTPIPE_DEBUG === '1')
  setUnexpectedErrorHandler((err) => log.error('unexpected error:', err))
  let config
  try {
    config = parseHostConfig(process.env, process.argv.slice(2), hasPortChannel())
  } catch (err) {
    log.error(err instanceof Error ? err.message : String(err))
    process.exit(2)
  }
  // An app's handlers may run synchronous CPU work, which the liveness worker tells from a hang.
  // The AgentMux commands never block the main thread, so a host of those alone goes without the
  // worker: a thread costs ~12 MB, and a SIGKILLed host's socket closes only once the kernel has
  // freed its memory, so every failover waits ~5 ms longer for it (docs/launcher.md).
  const servesAppCommands = Object.values(options.commands).some(
    (def) => agentMuxAdapterOf(def) === undefined,
  )
  let connection
  // Only on a socket: the worker writes its fd (a MessagePort or an IPC channel has none).
  let liveness: LivenessWorker | undefined
  try {
    connection = await openLauncherConnection(config, log, (socket) => {
      if (servesAppCommands) liveness = LivenessWorker.start(socket, log)
    })
  } catch (err) {
    log.error(`cannot reach the launcher: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  }
  const recordPath = config.recordPath
  const runtime = new HostRuntime({
    connection,
    token: config.token,
    log,
    delayMs: config.delayMs,
    spawnId: config.spawnId,
    role: config.role,
    handlers: dispatcher,
    channel,
    liveness,
    // The AgentMux commands keep their wire (cumulative acks over one ordered lane); a host of
    // app commands confirms each call on its own.
    perCallAcks: !Object.values(options.commands).some((def) => agentMuxAdapterOf(def) !== undefined),
    // Synchronous: the line is on disk before the command's report (and its ack) is sent.
    onCommandCompleted: recordPath
      ? (seq, sagaId) => appendFileSync(recordPath, `${seq} ${sagaId}\n`)
      : undefined,
  })
  const stopWatchingParent = watchParent(() => stop('the launcher is gone'))
  function stop(reason: string): void {
    runtime.stop(reason)
    setTimeout(() => process.exit(0), STOP_GRACE_MS).unref()
  }
  runtime.onEnd((code) => {
    stopWatchingParent()
    process.exit(code)
  })
  process.once('SIGTERM', () => stop('SIGTERM'))
  // 'exit' handlers run synchronously: a socket write of one short line still reaches the kernel.
  process.once('exit', (code) => runtime.exiting(code))
  const registered = new Promise<void>((resolve) => runtime.onRegistered(resolve))
  runtime.start()
  await registered
  return { emit: (name, payload) => channel.emit(name, payload) }
}
