import { toByteFrameMessage } from '../../shared/byte-frame-message'
import type { SplitValue } from '../../shared/byte-value'
import { BaseFrameConnection } from './base-frame-connection'

/**
 * The part of Electron's `MessagePortMain` we use, typed here so this module runs (and is tested)
 * without Electron. A `MessagePortMain` fits it structurally, on either end of the channel.
 */
export interface MessagePortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown
  on(event: 'close', listener: () => void): unknown
  off(event: 'message', listener: (e: { data: unknown }) => void): unknown
  off(event: 'close', listener: () => void): unknown
  /** Called with the message alone: never a transfer list (Electron transfers only ports). */
  postMessage(message: unknown): void
  /** Messages are queued until the port is started. */
  start(): void
  close(): void
}

const resolved = Promise.resolve()

/**
 * A FrameConnection over a MessagePort (the `port` transport in Electron): each message is one
 * frame, a JSON string, checked for size on receipt because it arrives whole. A byte frame is a
 * `ByteFrameMessage` whose blocks structured clone copies once; they are never put in a transfer
 * list (Electron transfers only ports, and a `Buffer` often shares a pooled `ArrayBuffer`). Usable on the host
 * (the port from `process.parentPort`) and on the launcher (a `MessageChannelMain` port).
 */
export class MessagePortConnection extends BaseFrameConnection {
  private isClosing = false
  private isGone = false

  constructor(
    private readonly port: MessagePortLike,
    readonly description: string = 'message port',
  ) {
    super()
    port.on('message', this.onMessage)
    port.on('close', this.onPortClose)
    port.start()
  }

  send(frame: string): Promise<void> {
    return this.sendOrWait(frame) ?? resolved
  }

  /** postMessage takes the frame at once: undefined, or a rejected promise when it could not. */
  sendOrWait(frame: string): Promise<void> | undefined {
    if (this.isClosing || this.isGone) return Promise.reject(new Error(`${this.description} is closed`))
    try {
      this.port.postMessage(frame)
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    return undefined
  }

  /** Posts a byte frame as a ByteFrameMessage: `sendOrWait`'s contract. */
  sendByteFrame(frame: SplitValue): Promise<void> | undefined {
    if (this.isClosing || this.isGone) return Promise.reject(new Error(`${this.description} is closed`))
    try {
      this.port.postMessage(toByteFrameMessage(frame))
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    return undefined
  }

  acceptByteFrames(): void {
    this.isAcceptingByteFrames = true
  }

  /** postMessage hands the frame over synchronously, so there is nothing left to flush. */
  close(): void {
    if (this.isClosing || this.isGone) return
    this.isClosing = true
    this.port.close()
    // The port reports 'close' for the remote end going away; our own close is reported here.
    queueMicrotask(() => this.gone('closed'))
  }

  private readonly onMessage = (e: { data: unknown }): void => {
    if (!this.isClosing && !this.isGone) this.receiveWholeMessage(e.data)
  }

  private readonly onPortClose = (): void => this.gone('disconnected')

  private gone(reason: string): void {
    if (this.isGone) return
    this.isGone = true
    this.port.off('message', this.onMessage)
    this.port.off('close', this.onPortClose)
    this.reportClosed(reason)
  }
}
