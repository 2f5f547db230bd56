import type { Disposable } from '../base/disposable'
import type { Logger } from '../base/logger'
import { OnceEmitter } from '../base/once-emitter'
import type { FrameConnection } from '../ipc/frame-connection'
import { describeThrown } from '../../shared/describe-thrown'
import { byteFrameLength, type InboundFrame } from '../../shared/byte-frame'
import { holdsBytes, splitValue, type SplitValue } from '../../shared/byte-value'
import { parseHostBoundFast } from '../../shared/fast-frames'
import {
  encodeHostInbound,
  exceedsFrameLimit,
  formatBytes,
  frameLimitFor,
  MAX_FRAME_BYTES,
  utf8ByteLength,
  type ControlCommand,
  type CustomCommandNames,
  type Event,
  type HostBound,
  type HostInbound,
  type ParseResult,
  type StreamFrame,
} from '../../shared/protocol-core'
import {
  FEATURE_ACK,
  FEATURE_BYTES,
  FEATURE_DEADLINE,
  FEATURE_LIVENESS_WORKER,
  FEATURE_PER_CALL_ACK,
  FEATURE_STREAMS,
} from '../../shared/protocol-features'
import { CommandExecutor } from './command-executor'
import type { CommandDispatcher } from './defined-command-dispatcher'
import type { HandlerChannel } from './handler-channel'
import { HOST_VERSION } from './host-config'

/** The full (zod) parser of launcher → host frames: `parseHostBoundBySchema`. */
export type HostBoundParser = (
  input: InboundFrame,
  customNames?: CustomCommandNames,
  maxFrameBytes?: number,
) => ParseResult<HostBound>

/**
 * Every command name on a well-formed envelope reaches the dispatcher, which answers the ones the
 * host does not define with a failure report (as JSON-RPC answers "method not found"), instead of
 * the parser refusing them as bad frames, which would leave the caller waiting out its timeout.
 */
const ANY_COMMAND: CustomCommandNames = 'any'

/**
 * Frames held while the schemas load, in bytes (plus {@link HELD_FRAME_OVERHEAD} each). The
 * launcher has at most MAX_IN_FLIGHT commands out and the load takes tens of ms, so this is never
 * reached by a launcher that follows the protocol; it bounds what a runaway peer can make us keep.
 */
export const MAX_HELD_BYTES = 16 * 1024 * 1024
const HELD_FRAME_OVERHEAD = 64

const ignore = (): void => undefined

/**
 * Loads protocol.ts (zod and the full parser) when called: it stays out of the host's start-up
 * import graph (a bundler turns it into a separate chunk), so a host registers about as fast as a
 * bare Node script does.
 */
const loadSchemaParser = (): Promise<HostBoundParser> =>
  import('../../shared/protocol').then((protocol) => protocol.parseHostBoundBySchema)

export interface HostRuntimeOptions {
  connection: FrameConnection
  /** HOSTPIPE_TOKEN. */
  token: string
  log: Logger
  /** Runs the commands; the host serves what it defines and fails every other command's saga. */
  handlers: CommandDispatcher
  /**
   * Register with `per_call_ack`: each report is its command's ack, other commands are acked one
   * by one, and app commands run side by side. Default false (cumulative acks, every command one
   * at a time, as the AgentMux commands' wire has them).
   */
  perCallAcks?: boolean
  /** `--host-delay-ms`. */
  delayMs?: number
  /** Called for each completed command before its report is sent (HOSTPIPE_RECORD). */
  onCommandCompleted?(seq: number, sagaId: number): void
  /** Default `process.pid`. */
  pid?: number
  /** HOSTPIPE_SPAWN_ID, echoed as `spawn_id` in `register` when set. */
  spawnId?: string
  /** HOSTPIPE_ROLE=standby: registers with `role:"standby"` (docs/launcher.md). */
  role?: 'standby'
  /**
   * Loads the full parser, for the frames the fast path leaves to the schemas. Default: a dynamic
   * import of protocol.ts, started right after `register` is sent.
   */
  loadSchemaParser?: () => Promise<HostBoundParser>
  /**
   * A worker that speaks for the host while its main thread is blocked (LivenessWorker): the
   * host then registers with `liveness_worker` and arms it with `registered.unresponsive_ms`.
   */
  liveness?: { arm(unresponsiveMs: number): void }
  /**
   * Where the handlers' progress, chunks and events go out (docs/protocol.md#streams): the host
   * then registers with `streams`, and the channel gets `stream_window` and `stream_credit`.
   */
  channel?: HandlerChannel
}

/**
 * One host session over one connection: registers, executes commands (one at a time in arrival
 * order, or with per-call acks app commands side by side: `CommandExecutor`), reports, acks, and
 * ends when the connection does. Knows nothing of processes: `host.ts` maps its end to
 * an exit code.
 *
 * Frames are read by the zod-free fast path (`parseHostBoundFast`); the schema module, which
 * gives the exact error for a bad frame, loads in the background once `register` is out. A frame the fast
 * path leaves to them while they load is held, and so is every frame after it, until they are
 * there: frames are handled in arrival order, never reordered or dropped.
 */
export class HostRuntime {
  private readonly conn: FrameConnection
  private readonly log: Logger
  private readonly executor: CommandExecutor
  private isRegistered = false
  private hadFatalError = false
  private isStopping = false
  private schemaParser: HostBoundParser | undefined
  /** Frames waiting for the schemas, in arrival order; undefined while none wait. */
  private held: InboundFrame[] | undefined
  private heldBytes = 0
  /** The launcher sent more than MAX_HELD_BYTES while the schemas loaded: the session is closing. */
  private isOverHeldLimit = false
  /** `registered.max_payload_bytes`: the most one report may take; undefined: MAX_FRAME_BYTES. */
  private maxPayloadBytes: number | undefined
  /** Announced `bytes` (the transport carries byte frames); they go out once registered. */
  private readonly hasBytes: boolean
  /** Fires once, with the exit code, when the session is over. */
  private readonly didEnd = new OnceEmitter<number>()
  /** Fires once, when the launcher answers `registered`. */
  private readonly didRegister = new OnceEmitter<void>()

  constructor(private readonly opts: HostRuntimeOptions) {
    this.conn = opts.connection
    this.hasBytes = this.conn.sendByteFrame !== undefined && this.conn.acceptByteFrames !== undefined
    this.log = opts.log
    this.executor = new CommandExecutor({
      handlers: opts.handlers,
      send: (frame, command) => this.send(frame, command),
      delayMs: opts.delayMs,
      onCommandCompleted: opts.onCommandCompleted,
      log: opts.log,
      perCallAcks: opts.perCallAcks,
    })
  }

  /** Registers with the launcher and starts taking commands. */
  start(): void {
    this.opts.channel?.attach((frame) => this.sendStreamFrame(frame))
    this.conn.onFrame((frame) => this.onFrame(frame))
    this.conn.onTooLarge((bytes) => {
      this.log.error(`launcher sent a frame of ${bytes}+ bytes; closing`)
      this.conn.close()
    })
    this.conn.onClose((reason) => this.end(reason))
    if (this.hasBytes) this.conn.acceptByteFrames!()
    this.send({
      cmd: 'register',
      kind: 'host',
      pid: this.opts.pid ?? process.pid,
      version: HOST_VERSION,
      token: this.opts.token,
      features: [
        FEATURE_ACK,
        FEATURE_DEADLINE,
        ...(this.opts.perCallAcks ? [FEATURE_PER_CALL_ACK] : []),
        ...(this.opts.liveness ? [FEATURE_LIVENESS_WORKER] : []),
        ...(this.opts.channel ? [FEATURE_STREAMS] : []),
        ...(this.hasBytes ? [FEATURE_BYTES] : []),
      ],
      ...(this.opts.spawnId === undefined ? {} : { spawn_id: this.opts.spawnId }),
      ...(this.opts.role === undefined ? {} : { role: this.opts.role }),
    })
    // After `register`: the import reads its files asynchronously, so the line goes out first.
    this.loadSchemas()
  }

  /** Says goodbye and closes the connection (SIGTERM, parent gone). */
  stop(reason: string): void {
    if (this.isStopping || this.didEnd.hasFired) return
    this.isStopping = true
    this.log.info(`stopping: ${reason}`)
    this.executor.dispose()
    this.send({ cmd: 'goodbye' })
    this.conn.close()
  }

  /**
   * The process is exiting with `code` (a handler called `process.exit`, or an error nobody
   * caught): says goodbye with the code, written before the process is gone, so the launcher can
   * tell why the calls it had here were lost. Nothing when the session already ended or stops.
   */
  exiting(code: number): void {
    if (this.isStopping || this.didEnd.hasFired || !this.isRegistered) return
    this.isStopping = true
    this.send({ cmd: 'goodbye', exit_code: code })
    this.conn.close()
  }

  /**
   * Called once when the session is over, with the exit code the process should use: 0 when it
   * ended as asked (stopped, or registered and then closed by the launcher), 1 when the launcher
   * refused it or it never got registered, so a supervisor treats it as a crash.
   */
  onEnd(fn: (exitCode: number) => void): Disposable {
    return this.didEnd.event(fn)
  }

  /** Called once, when the launcher has answered `register` with `registered`. */
  onRegistered(fn: () => void): Disposable {
    return this.didRegister.event(fn)
  }

  private onFrame(frame: InboundFrame): void {
    if (this.held) return this.hold(frame)
    const fast = parseHostBoundFast(frame, ANY_COMMAND, this.conn.maxFrameBytes)
    if (fast) return this.dispatch(fast)
    if (!this.schemaParser) return this.hold(frame)
    const parsed = this.schemaParser(frame, ANY_COMMAND, this.conn.maxFrameBytes)
    if (!parsed.ok && parsed.code === 'frame_too_large') {
      // The transport stopped reading: nothing more can come.
      this.log.error(`launcher sent a frame that cannot be read; closing: ${parsed.message}`)
      return this.conn.close()
    }
    if (!parsed.ok) return this.log.warn(`ignoring a bad frame from the launcher: ${parsed.message}`)
    this.dispatch(parsed.frame)
  }

  private loadSchemas(): void {
    const load = this.opts.loadSchemaParser ?? loadSchemaParser
    load().then(
      (parse) => {
        this.schemaParser = parse
        this.releaseHeld()
      },
      (err: unknown) => {
        this.log.error(`cannot load the protocol schemas; closing: ${String(err)}`)
        this.conn.close()
      },
    )
  }

  private hold(frame: InboundFrame): void {
    if (this.didEnd.hasFired || this.isOverHeldLimit) return
    this.heldBytes += (typeof frame === 'string' ? frame.length : frame.byteLength) + HELD_FRAME_OVERHEAD
    if (this.heldBytes > MAX_HELD_BYTES) {
      this.log.error(`launcher sent ${this.heldBytes}+ bytes while the schemas were loading; closing`)
      // Once: a transport may go on delivering what it had read before the close takes effect.
      this.isOverHeldLimit = true
      this.held = []
      this.conn.close()
      return
    }
    // A transport's bytes are a view valid only during the call: kept as a copy.
    ;(this.held ??= []).push(frame instanceof Uint8Array ? frame.slice() : frame)
  }

  /** Handles the held frames in arrival order, now that the schemas are here. */
  private releaseHeld(): void {
    const held = this.held
    this.held = undefined
    this.heldBytes = 0
    if (!held || this.didEnd.hasFired) return
    for (let i = 0; i < held.length; i++) {
      // A frame handled now may end the session (a fatal error then the close): stop there.
      if (this.didEnd.hasFired) return
      this.onFrame(held[i]!)
    }
  }

  private dispatch(msg: HostBound): void {
    if (msg.kind === 'command') return this.executor.enqueue(msg.seq, msg.command)
    if (msg.kind === 'control') return this.onControl(msg.command)
    this.onEvent(msg.event)
  }

  /**
   * Control frames are handled as soon as they are read, ahead of queued commands (docs/protocol.md#control-frames): a probe
   * asks whether this event loop runs, not whether the queue is empty, so a long async handler is
   * never taken for a hang.
   */
  private onControl(cmd: ControlCommand): void {
    if (cmd.cmd === 'probe_ui_thread') return this.send({ cmd: 'report_ui_thread_alive', nonce: cmd.nonce })
    if (cmd.cmd === 'stream_credit') return this.opts.channel?.grantCredit(cmd.saga_id, cmd.credit)
    const reached = this.executor.cancel(cmd.saga_id)
    this.log.debug(`cancel_saga ${cmd.saga_id}: ${reached} command(s) reached`)
  }

  /** Raw events are the launcher's fanout: the host only cares about the replies addressed to it. */
  private onEvent(e: Event): void {
    if (e.event === 'registered') {
      this.isRegistered = true
      if (e.unresponsive_ms) this.opts.liveness?.arm(e.unresponsive_ms)
      if (e.max_payload_bytes) {
        this.maxPayloadBytes = e.max_payload_bytes
        this.conn.setMaxFrameBytes(frameLimitFor(e.max_payload_bytes))
      }
      if (e.stream_window) this.opts.channel?.setStreamWindow(e.stream_window)
      this.log.info(
        `registered as client ${e.client_id} with launcher ${e.launcher_pid} (${e.launcher_version})`,
      )
      this.didRegister.fire()
    } else if (e.event === 'error') {
      if (e.fatal) this.hadFatalError = true
      this.log.warn(`launcher error ${e.code}${e.fatal ? ' (fatal)' : ''}: ${e.message}`)
    }
  }

  /**
   * Never throws. A report that cannot be encoded (a value the output checks let through, such as
   * a getter that throws when read again) or that is over `maxPayloadBytes` (MAX_FRAME_BYTES for
   * a launcher that sent none), which the launcher would refuse and close the connection for, is
   * not sent: the failure of its saga alone goes instead, and the host keeps serving. The size is
   * read off the line already encoded (its length first; UTF-8 counted only near the limit).
   * `command`: the name of the command a saga report answers, for that failure's reason.
   */
  private send(frame: HostInbound, command?: string): void {
    const limit = this.maxPayloadBytes ?? MAX_FRAME_BYTES
    let line: string
    try {
      if (frame.cmd === 'report_result' && holdsBytes(frame.output)) {
        const split = this.splitForBytes(frame)
        if (typeof split !== 'string') {
          const size = byteFrameLength(split)
          if (size <= limit) {
            this.conn.sendByteFrame!(split)?.catch(ignore)
            return
          }
          line = this.failedReportLine(frame, this.tooLargeReason(frame, size, limit, command))
        } else line = this.failedReportLine(frame, split)
      } else {
        // JSON.stringify, not a line concatenated by hand: numbers turned into strings in JS pass
        // through V8's number-string cache, which keeps them past a scavenge (2.5x the promoted bytes).
        line = encodeHostInbound(frame)
      }
    } catch (err) {
      line = this.failedReportLine(frame, `report is not encodable: ${describeThrown(err, 'encoding')}`)
    }
    if (exceedsFrameLimit(line, limit))
      line = this.failedReportLine(frame, this.tooLargeReason(frame, utf8ByteLength(line), limit, command))
    this.write(line)
  }

  /**
   * A send fails only once the connection is closing, and then `onClose` ends the session. Without
   * a promise when the transport takes the line at once: a `.catch` on a settled one costs a
   * promise and a microtask per report.
   */
  private write(line: string): void {
    const conn = this.conn
    const wait = conn.sendOrWait === undefined ? conn.send(line) : conn.sendOrWait(line)
    wait?.catch(ignore)
  }

  /** "output of `big` is 1,120,000 bytes once encoded; maxPayloadBytes is 1,048,576". */
  private tooLargeReason(frame: HostInbound, bytes: number, limit: number, name?: string): string {
    const what = frame.cmd === 'report_result' ? 'output' : frame.cmd
    const size = `${what}${name === undefined ? '' : ` of \`${name}\``} is ${formatBytes(bytes)} bytes once encoded`
    return this.maxPayloadBytes === undefined
      ? `${size}; the launcher's frame limit is ${formatBytes(limit)}`
      : `${size}; maxPayloadBytes is ${formatBytes(limit)}`
  }

  /**
   * A frame beside the reports (progress, a chunk, an event): one that cannot be encoded or is over
   * `maxPayloadBytes` (MAX_FRAME_BYTES without it) is not sent, and the reason is returned so the
   * handler's call (or `emit`) fails instead.
   */
  private sendStreamFrame(frame: StreamFrame): string | undefined {
    const limit = this.maxPayloadBytes ?? MAX_FRAME_BYTES
    let line: string
    try {
      if (holdsBytes(frame)) {
        const split = this.splitForBytes(frame)
        if (typeof split === 'string') return split
        const size = byteFrameLength(split)
        if (size > limit)
          return `is ${formatBytes(size)} bytes once encoded; maxPayloadBytes is ${formatBytes(limit)}`
        // The handler goes on at once (a generator is resumed, progress and events come
        // mid-call) and may refill the buffer it gave: what is sent is the bytes as given.
        const copied: SplitValue = { header: split.header, blocks: split.blocks.map((b) => b.slice()) }
        this.conn.sendByteFrame!(copied)?.catch(ignore)
        return undefined
      }
      line = encodeHostInbound(frame)
    } catch (err) {
      return `is not encodable: ${describeThrown(err, 'encoding')}`
    }
    if (exceedsFrameLimit(line, limit))
      return `is ${formatBytes(utf8ByteLength(line))} bytes once encoded; ${this.maxPayloadBytes === undefined ? "the launcher's frame limit" : 'maxPayloadBytes'} is ${formatBytes(limit)}`
    this.write(line)
    return undefined
  }

  /**
   * A frame holding bytes, split for a byte frame; or why it cannot go: the launcher takes byte
   * frames only from a host that announced `bytes` and got `max_payload_bytes`. Throws what
   * `splitValue` throws.
   */
  private splitForBytes(frame: HostInbound): SplitValue | string {
    if (!this.hasBytes || this.maxPayloadBytes === undefined)
      return 'holds bytes (a Uint8Array) and the launcher takes no byte frames on this connection'
    return splitValue(frame)
  }

  private failedReportLine(frame: HostInbound, reason: string): string {
    this.log.warn(`cannot send ${frame.cmd}: ${reason}`)
    const sagaId = 'saga_id' in frame ? frame.saga_id : 0
    // A per-call host's report is its command's ack: the failure stands in for it, seq included.
    const seq = 'seq' in frame && frame.seq !== undefined ? { seq: frame.seq } : {}
    return encodeHostInbound({ cmd: 'report_saga_action_failed', saga_id: sagaId, reason, ...seq })
  }

  private end(reason: string): void {
    if (this.didEnd.hasFired) return
    this.executor.dispose()
    const isClean = this.isStopping || (this.isRegistered && !this.hadFatalError)
    const exitCode = isClean ? 0 : 1
    this.log.info(`connection closed (${reason}); exiting with code ${exitCode}`)
    this.didEnd.fire(exitCode)
  }
}
