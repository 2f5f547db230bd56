import type { FrameConnection } from './frame-connection'
import { checkWholeMessage } from './whole-message'

/**
 * The part of Electron's `MessagePortMain` we use, typed here so this module runs (and is tested)
 * without Electron. A `MessagePortMain` fits it structurally, on either end of the channel.
 */
export interface MessagePortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown
  on(event: 'close', listener: () => void): unknown
  off(event: 'message', listener: (e: { data: unknown }) => void): unknown
  off(event: 'close', listener: () => void): unknown
  postMessage(message: unknown): void
  /** Messages are queued until the port is started. */
  start(): void
  close(): void
}

/**
 * A FrameConnection over a MessagePort (the `port` transport in Electron): each message is one
 * frame, a JSON string, checked for size on receipt because it arrives whole. Usable on the host
 * (the port from `process.parentPort`) and on the launcher (a `MessageChannelMain` port).
 */
export class MessagePortConnection implements FrameConnection {
  private isGone = false
  private frameHandler: ((frame: string | Uint8Array) => void) | undefined
  private tooLargeHandler: ((bytes: number) => void) | undefined
  private closeHandler: ((reason: string) => void) | undefined

  constructor(
    private readonly port: MessagePortLike,
    readonly description: string = 'message port',
  ) {
    port.on('message', this.onMessage)
    port.on('close', this.onPortClose)
    port.start()
  }

  send(frame: string): Promise<void> {
    if (this.isGone) return Promise.reject(new Error(`${this.description} is closed`))
    try {
      this.port.postMessage(frame)
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    return Promise.resolve()
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

  /** postMessage hands the frame over synchronously, so there is nothing left to flush. */
  close(): void {
    if (this.isGone) return
    this.port.close()
    // The port reports 'close' for the remote end going away; our own close is reported here.
    queueMicrotask(() => this.gone('closed'))
  }

  private readonly onMessage = (e: { data: unknown }): void => {
    if (this.isGone) return
    const checked = checkWholeMessage(e.data)
    if (checked.ok) this.frameHandler?.(checked.frame)
    else if (this.tooLargeHandler) this.tooLargeHandler(checked.bytes)
    else this.close()
  }

  private readonly onPortClose = (): void => this.gone('disconnected')

  private gone(reason: string): void {
    if (this.isGone) return
    this.isGone = true
    this.port.off('message', this.onMessage)
    this.port.off('close', this.onPortClose)
    this.closeHandler?.(reason)
  }
}
