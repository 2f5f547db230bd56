import { BaseFrameConnection } from '../../src/main/ipc/base-frame-connection'

/**
 * An in-memory FrameConnection: the test plays the peer. Records what the server sends; can hold
 * sends (a peer that does not read) and report a close from either side.
 */
export class FakeConnection extends BaseFrameConnection {
  readonly sent: string[] = []
  isClosed = false
  closeCalls = 0
  /** While true, `send` promises stay pending (the transport has not taken the frame). */
  isHolding = false
  private held: Array<() => void> = []

  constructor(readonly description = 'fake connection') {
    super()
  }

  send(frame: string): Promise<void> {
    if (this.isClosed) return Promise.reject(new Error('closed'))
    this.sent.push(frame)
    if (!this.isHolding) return Promise.resolve()
    return new Promise((resolve) => this.held.push(resolve))
  }

  close(): void {
    this.closeCalls++
    if (this.isClosed) return
    this.isClosed = true
    this.reportClosed('closed')
  }

  // --- the peer's side

  /** The peer sends a frame (an object is sent as its JSON). */
  receive(frame: string | Uint8Array | Record<string, unknown>): void {
    this.frameHandler?.(
      typeof frame === 'string' || frame instanceof Uint8Array ? frame : JSON.stringify(frame),
    )
  }

  receiveTooLarge(bytes: number): void {
    this.refuseTooLarge(bytes)
  }

  /** The peer went away (EOF). */
  endByPeer(reason = 'eof'): void {
    if (this.isClosed) return
    this.isClosed = true
    this.reportClosed(reason)
  }

  releaseHeld(): void {
    this.isHolding = false
    for (const resolve of this.held.splice(0)) resolve()
  }

  /** Every frame sent, parsed. */
  frames(): Array<Record<string, unknown>> {
    return this.sent.map((line) => JSON.parse(line) as Record<string, unknown>)
  }

  /** Frames whose `event` is `name`. */
  events(name: string): Array<Record<string, unknown>> {
    return this.frames().filter((f) => f.event === name)
  }

  lastFrame(): Record<string, unknown> | undefined {
    return this.frames().at(-1)
  }
}
