import type { FrameConnection } from '../../src/main/ipc/frame-connection'

/**
 * An in-memory FrameConnection: the test plays the peer. Records what the server sends; can hold
 * sends (a peer that does not read) and report a close from either side.
 */
export class FakeConnection implements FrameConnection {
  readonly sent: string[] = []
  isClosed = false
  closeCalls = 0
  /** While true, `send` promises stay pending (the transport has not taken the frame). */
  isHolding = false
  private held: Array<() => void> = []
  private frameHandler: ((frame: string | Uint8Array) => void) | undefined
  private tooLargeHandler: ((bytes: number) => void) | undefined
  private closeHandler: ((reason: string) => void) | undefined

  constructor(readonly description = 'fake connection') {}

  send(frame: string): Promise<void> {
    if (this.isClosed) return Promise.reject(new Error('closed'))
    this.sent.push(frame)
    if (!this.isHolding) return Promise.resolve()
    return new Promise((resolve) => this.held.push(resolve))
  }

  onFrame(fn: (frame: string | Uint8Array) => void): void {
    this.frameHandler = fn
  }

  onTooLarge(fn: (bytes: number) => void): void {
    this.tooLargeHandler = fn
  }

  onClose(fn: (reason: string) => void): void {
    this.closeHandler = fn
  }

  close(): void {
    this.closeCalls++
    if (this.isClosed) return
    this.isClosed = true
    this.closeHandler?.('closed')
  }

  // --- the peer's side

  /** The peer sends a frame (an object is sent as its JSON). */
  receive(frame: string | Uint8Array | Record<string, unknown>): void {
    this.frameHandler?.(
      typeof frame === 'string' || frame instanceof Uint8Array ? frame : JSON.stringify(frame),
    )
  }

  receiveTooLarge(bytes: number): void {
    this.tooLargeHandler?.(bytes)
  }

  /** The peer went away (EOF). */
  endByPeer(reason = 'eof'): void {
    if (this.isClosed) return
    this.isClosed = true
    this.closeHandler?.(reason)
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
