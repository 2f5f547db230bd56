import type { HostPipeSnapshot } from '../../shared/diagnostics'
import { Emitter, type Listenable } from '../base/emitter'
import { silentLogger, systemClock, type Clock, type HostPipe, type Logger } from '../host-pipe'

/**
 * `--unresponsive-ms` default: 5 s, the threshold at which desktops call a window "not
 * responding" (and VS Code its extension host unresponsive).
 */
export const UNRESPONSIVE_MS = 5_000

/** Why the host was judged unresponsive. */
export interface UnresponsiveVerdict {
  /** `silent`: no frame at all for `unresponsiveMs` while work was outstanding; `overdue`: a
   * command still unreported `unresponsiveMs` past its deadline (a handler ignoring its signal). */
  why: 'silent' | 'overdue'
  /** How long, in ms: the silence, or the time past the oldest deadline. */
  forMs: number
}

export interface LivenessMonitorOptions {
  /** `--unresponsive-ms`: ms of silence (or past a deadline) that make a host unresponsive. 0: off. */
  unresponsiveMs: number
  /** The probes go through `sendControl`; `'change'` tells when work starts and hosts come and go. */
  pipe: Pick<HostPipe, 'on' | 'snapshot' | 'sendControl'>
  /**
   * Work outstanding beyond HostPipe's unacked commands: for a host without `ack`, an open saga
   * whose command was written to it (docs/protocol.md#liveness). Default: none.
   */
  hasUnackedWork?(s: HostPipeSnapshot): boolean
  /** The oldest deadline (in `clock`'s time base) of a saga its host still holds past it, if any. */
  oldestOverdueDeadline?(): number | undefined
  /** Called once per host session when the host is judged unresponsive. */
  onUnresponsive(verdict: UnresponsiveVerdict): void
  clock?: Clock
  log?: Logger
}

/**
 * Notices a host that hangs (docs/protocol.md#liveness, after VS Code's unresponsive extension host
 * detection): while the active host has work outstanding (an unacked command, or a probe) and
 * sends nothing for N/2 ms, it gets `probe_ui_thread` outside the command sequence; after N ms
 * with no frame at all from it, or when a command is still unreported N ms past its deadline, the
 * owner is told once and decides (kill and replace). Silence counts from the later of the host's
 * last frame and the moment work became outstanding, so an idle host is never probed.
 *
 * Busy is not hung (docs/launcher.md#busy-is-not-hung): a host with feature `liveness_worker`
 * reports from a worker thread while its main thread is blocked. Those reports are frames, so
 * such a host is never silent while its process runs, and one that says its main thread has been
 * blocked for N ms or more is **busy** (`isBusy`, `onDidChangeBusy`), not unresponsive. A stopped
 * or frozen process sends nothing at all and is judged silent as before; a command still
 * unreported N ms past its deadline makes even a busy host unresponsive.
 *
 * Cheap on the hot path: a frame only stores the time; one timer runs while work is outstanding
 * and re-checks everything when it fires.
 */
export class LivenessMonitor {
  private readonly n: number
  private readonly clock: Clock
  private readonly log: Logger
  private readonly unsubscribe: () => void
  private sessionId = 0
  private lastFrameAt = 0
  /** When work became outstanding; undefined while the host is idle (or gone). */
  private outstandingSince: number | undefined
  /** The silence start a probe was sent for (one probe per silence). */
  private probedFor: number | undefined
  private isProbeOutstanding = false
  private nextNonce = 1
  private isTripped = false
  private timer: unknown
  private isDisposed = false
  private isHostBusy = false
  private readonly didChangeBusy = new Emitter<boolean>()

  /** Fires `isBusy` each time it changes. */
  readonly onDidChangeBusy: Listenable<boolean> = this.didChangeBusy.event

  constructor(private readonly opts: LivenessMonitorOptions) {
    const n = opts.unresponsiveMs
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`unresponsiveMs must be a non-negative integer (0 turns it off), got ${n}`)
    this.n = n
    this.clock = opts.clock ?? systemClock
    this.log = opts.log ?? silentLogger
    this.unsubscribe = n === 0 ? () => {} : opts.pipe.on('change', (s) => this.onPipeChange(s))
  }

  /** A frame (any frame) came from the current host at `at` (its clock's ms): its event loop runs. */
  noteHostFrame(at: number = this.clock.now()): void {
    this.lastFrameAt = at
    this.isProbeOutstanding = false
  }

  /**
   * Whether the current host is busy: its liveness worker's latest report says its main thread
   * has been blocked for at least `unresponsiveMs`. False for hosts without the worker, after a
   * report that the main thread turns again, and once the host is gone or replaced.
   */
  get isBusy(): boolean {
    return this.isHostBusy
  }

  /**
   * `report_main_thread{blocked_ms}` from the current host's liveness worker (the frame itself
   * already went through `noteHostFrame`). `blockedMs` 0: the main thread turns again.
   */
  noteMainThreadReport(blockedMs: number): void {
    if (this.n === 0 || this.isDisposed) return
    this.setBusy(blockedMs >= this.n)
  }

  dispose(): void {
    if (this.isDisposed) return
    this.isDisposed = true
    this.unsubscribe()
    this.stop()
    this.setBusy(false)
    this.didChangeBusy.dispose()
  }

  private setBusy(isBusy: boolean): void {
    if (isBusy === this.isHostBusy) return
    this.isHostBusy = isBusy
    if (isBusy) this.log.info(`[liveness] host main thread blocked for ${this.n}+ ms: busy, not hung`)
    this.didChangeBusy.fire(isBusy)
  }

  private onPipeChange(s: HostPipeSnapshot): void {
    if (!s.connected) {
      this.setBusy(false)
      return this.stop()
    }
    if (s.sessionId !== this.sessionId) {
      // A new host: it has said nothing wrong yet.
      this.stop()
      this.setBusy(false)
      this.sessionId = s.sessionId
      this.lastFrameAt = this.clock.now()
      this.isTripped = false
    }
    if (this.timer !== undefined || this.isTripped || !this.hasWork(s)) return
    this.outstandingSince = this.clock.now()
    this.arm(this.n / 2)
  }

  private hasWork(s: HostPipeSnapshot): boolean {
    return (
      s.inFlight > 0 ||
      this.isProbeOutstanding ||
      (this.opts.hasUnackedWork?.(s) ?? false) ||
      this.opts.oldestOverdueDeadline?.() !== undefined
    )
  }

  private check(): void {
    this.timer = undefined
    const s = this.opts.pipe.snapshot()
    if (!s.connected || s.sessionId !== this.sessionId || this.isTripped || this.isDisposed) return
    if (!this.hasWork(s)) {
      this.outstandingSince = undefined
      return
    }
    const now = this.clock.now()
    const since = Math.max(this.lastFrameAt, this.outstandingSince ?? now)
    const silentMs = now - since
    const overdue = this.opts.oldestOverdueDeadline?.()
    if (overdue !== undefined && now - overdue >= this.n)
      return this.trip({ why: 'overdue', forMs: now - overdue })
    if (silentMs >= this.n) return this.trip({ why: 'silent', forMs: silentMs })
    if (silentMs >= this.n / 2 && this.probedFor !== since) {
      this.probedFor = since
      this.sendProbe()
    }
    let next = since + this.n
    if (this.probedFor !== since) next = Math.min(next, since + this.n / 2)
    if (overdue !== undefined) next = Math.min(next, overdue + this.n)
    this.arm(Math.max(1, next - now))
  }

  private sendProbe(): void {
    const nonce = this.nextNonce++
    this.isProbeOutstanding = true
    this.log.debug(`[liveness] host silent with work outstanding: probe ${nonce}`)
    // A failed write disconnects the pipe, which stops this monitor; nothing else to do.
    this.opts.pipe.sendControl({ cmd: 'probe_ui_thread', nonce }).catch(() => undefined)
  }

  private trip(verdict: UnresponsiveVerdict): void {
    this.isTripped = true
    this.outstandingSince = undefined
    try {
      this.opts.onUnresponsive(verdict)
    } catch (err) {
      this.log.error(`[liveness] onUnresponsive threw: ${String(err)}`)
    }
  }

  private arm(ms: number): void {
    if (this.isDisposed) return
    this.timer = this.clock.setTimeout(() => this.check(), ms)
  }

  private stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.outstandingSince = undefined
    this.probedFor = undefined
    this.isProbeOutstanding = false
  }
}
