import type { InboundFrame } from '../../shared/byte-frame'
import { isByteFrameMessage, receiveByteFrameMessage } from '../../shared/byte-frame-message'
import { MAX_FRAME_BYTES } from '../../shared/protocol-core'
import type { FrameConnection } from './frame-connection'
import { checkWholeMessage } from './whole-message'

/**
 * The inbound side every FrameConnection shares: one handler of each kind, an over-long frame
 * handed to the protocol layer (or, without one, the connection just closes), and a close that is
 * reported once whatever caused it.
 */
export abstract class BaseFrameConnection implements FrameConnection {
  abstract readonly description: string
  abstract send(frame: string): Promise<void>
  abstract close(): void

  protected frameHandler: ((frame: InboundFrame) => void) | undefined
  /** Byte frames are read (`acceptByteFrames`). */
  protected isAcceptingByteFrames = false
  private tooLargeHandler: ((bytes: number) => void) | undefined
  private closeHandler: ((reason: string) => void) | undefined
  private isCloseReported = false
  private frameLimit = MAX_FRAME_BYTES

  get maxFrameBytes(): number {
    return this.frameLimit
  }

  setMaxFrameBytes(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 1)
      throw new RangeError(`maxFrameBytes must be a positive integer, got ${bytes}`)
    this.frameLimit = bytes
  }

  onFrame(fn: (frame: InboundFrame) => void): void {
    this.frameHandler = fn
  }

  onTooLarge(fn: (bytes: number) => void): void {
    this.tooLargeHandler = fn
  }

  onClose(fn: (reason: string) => void): void {
    this.closeHandler = fn
  }

  protected refuseTooLarge(bytes: number): void {
    if (this.tooLargeHandler) this.tooLargeHandler(bytes)
    else this.close()
  }

  /** For message transports: one message is one whole frame, size-checked on receipt. */
  protected receiveWholeMessage(message: unknown): void {
    if (this.isAcceptingByteFrames && isByteFrameMessage(message)) {
      const frame = receiveByteFrameMessage(message, this.frameLimit)
      if (frame.error?.code === 'FRAME_TOO_LARGE') return this.refuseTooLarge(frame.byteLength)
      return this.frameHandler?.(frame)
    }
    const checked = checkWholeMessage(message, this.frameLimit)
    if (checked.ok) this.frameHandler?.(checked.frame)
    else this.refuseTooLarge(checked.bytes)
  }

  protected reportClosed(reason: string): void {
    if (this.isCloseReported) return
    this.isCloseReported = true
    this.closeHandler?.(reason)
  }
}
