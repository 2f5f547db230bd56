import { HostPipe, type HostWriter } from '../../src/main/host-pipe'
import { IntColumn } from './int-column'

/** One `setWriter`: the seqs written through it, in write order, and how far the host acked them. */
export interface OracleSession {
  readonly index: number
  readonly startedAt: number
  readonly writes: number[]
  ackCursor: number
  /** The writer is still HostPipe's current one (no clearWriter, no replacement, no failed write). */
  isLive: boolean
}

export interface PipeOracleHooks {
  /** A host registered: HostPipe has its writer and has started the drain. Called synchronously. */
  onRegistered?(session: OracleSession): void
  /** Whether the saga already had its terminal event (its frames are then settled in HostPipe). */
  isSagaEnded(sagaId: number): boolean
}

/**
 * An independent record of what HostPipe did, kept by wrapping the methods the launcher calls on
 * it (`setWriter`, `clearWriter`, `ack`, `sendCommand`, `postCommand`) and every writer it is
 * given. It sees each frame as it is written (seq → saga id), each ack HostPipe accepted and what it covered, and each
 * write the transport refused. Plain wrappers, not `vi.fn`: a spy would keep every call's
 * arguments and grow with the run.
 */
export class PipeOracle {
  /** seq → saga id of the command written with it (0: no saga). */
  readonly sagaOfSeq = new IntColumn()
  /** seq → 1 once an ack HostPipe accepted covered it. */
  readonly isSeqAcked = new IntColumn()
  /** seq → 1 when its write was refused while in flight: never delivered, so it may be sent again. */
  readonly wasRefused = new IntColumn()
  readonly sessions: OracleSession[] = []
  /** `sendCommand` and `postCommand` calls: commands handed to HostPipe. */
  issued = 0
  commandWritesResolved = 0
  commandWritesRejected = 0
  /** Command writes refused while HostPipe still tracked them in flight (it re-buffers or drops them). */
  rejectedWhileTracked = 0
  /** …of which their saga had already ended, so HostPipe drops them (settled). */
  rejectedWhileTrackedSettled = 0
  /** Command writes refused after their frame was acked or failed (a socket rejects what it had queued). */
  rejectedAfterTerminal = 0
  eventWritesRejected = 0
  /** Commands the oracle saw acked (must equal HostPipe's `acked`). */
  ackedCommands = 0
  readonly mismatches: string[] = []
  private current: OracleSession | undefined

  constructor(private readonly hooks: PipeOracleHooks) {}

  /** Wraps HostPipe's methods; returns the function that puts them back. */
  install(): () => void {
    const proto = HostPipe.prototype
    const original = {
      setWriter: proto.setWriter,
      clearWriter: proto.clearWriter,
      ack: proto.ack,
      sendCommand: proto.sendCommand,
      postCommand: proto.postCommand,
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const oracle = this
    proto.setWriter = function (this: HostPipe, writer, o) {
      const session = oracle.startSession()
      const wrapped: HostWriter = { write: (line) => oracle.onWrite(session, line, writer.write(line)) }
      const settled = original.setWriter.call(this, wrapped, o)
      oracle.hooks.onRegistered?.(session)
      return settled
    }
    proto.clearWriter = function (this: HostPipe) {
      if (oracle.current) oracle.current.isLive = false
      original.clearWriter.call(this)
    }
    proto.ack = function (this: HostPipe, seq) {
      const before = this.snapshot().counters.acked
      original.ack.call(this, seq)
      const covered = this.snapshot().counters.acked - before
      if (covered > 0) oracle.onAck(seq, covered)
    }
    proto.sendCommand = function (this: HostPipe, cmd, o) {
      oracle.issued++
      return original.sendCommand.call(this, cmd, o)
    }
    // The launcher's saga path posts its commands.
    proto.postCommand = function (this: HostPipe, cmd, o) {
      oracle.issued++
      return original.postCommand.call(this, cmd, o)
    }
    return () => Object.assign(proto, original)
  }

  private startSession(): OracleSession {
    if (this.current) this.current.isLive = false
    const session: OracleSession = {
      index: this.sessions.length + 1,
      startedAt: performance.now(),
      writes: [],
      ackCursor: 0,
      isLive: true,
    }
    this.sessions.push(session)
    this.current = session
    return session
  }

  private onWrite(session: OracleSession, line: string, written: Promise<void>): Promise<void> {
    // Registered before HostPipe awaits the promise, so these run before HostPipe reacts.
    if (!line.startsWith('{"kind":"command"')) {
      written.catch(() => {
        this.eventWritesRejected++
        // HostPipe detaches a current writer whose event write failed.
        session.isLive = false
      })
      return written
    }
    const frame = JSON.parse(line) as { seq: number; saga_id?: number }
    const sagaId = frame.saga_id ?? 0
    if (this.sagaOfSeq.get(frame.seq) !== 0)
      this.mismatches.push(
        `seq ${frame.seq} written twice (sagas ${this.sagaOfSeq.get(frame.seq)}, ${sagaId})`,
      )
    this.sagaOfSeq.set(frame.seq, sagaId)
    session.writes.push(frame.seq)
    written.then(
      () => this.commandWritesResolved++,
      () => {
        this.commandWritesRejected++
        if (session.isLive && this.isSeqAcked.get(frame.seq) === 0) {
          this.rejectedWhileTracked++
          this.wasRefused.set(frame.seq, 1)
          if (sagaId !== 0 && this.hooks.isSagaEnded(sagaId)) this.rejectedWhileTrackedSettled++
          // HostPipe detaches the writer whose command write failed.
          session.isLive = false
        } else this.rejectedAfterTerminal++
      },
    )
    return written
  }

  /** A cumulative ack HostPipe accepted: it covers this session's writes up to `seq`. */
  private onAck(seq: number, covered: number): void {
    const session = this.current
    if (!session) return void this.mismatches.push(`ack of seq ${seq} with no session`)
    const at = session.writes.indexOf(seq, session.ackCursor)
    if (at === -1)
      return void this.mismatches.push(`ack of seq ${seq}: not written in session ${session.index}`)
    const count = at - session.ackCursor + 1
    if (count !== covered)
      this.mismatches.push(`ack of seq ${seq} covered ${covered} command(s); the oracle expected ${count}`)
    for (let i = session.ackCursor; i <= at; i++) this.isSeqAcked.set(session.writes[i]!, 1)
    this.ackedCommands += count
    session.ackCursor = at + 1
  }
}
