import type { EventEmitter } from 'node:events'
import { BaseFrameConnection } from './base-frame-connection'

/**
 * The two ends of a Node process IPC channel, as far as we use them: a ChildProcess (launcher
 * side) and `process` in a forked child (host side) both fit.
 */
export interface IpcEndpoint extends EventEmitter {
  readonly connected: boolean
  send?(message: string, callback: (error: Error | null) => void): boolean
  disconnect?(): void
}

/**
 * A FrameConnection over a Node process IPC channel (the `port` transport headless): each
 * message is one frame, a JSON string. Messages arrive whole, so the frame size is checked on
 * receipt.
 *
 * Node's channel has no per-message limit of its own: a peer can still make the receiving side
 * buffer one large message before we see it. The cap here keeps such a frame from going further.
 */
export class ChildIpcConnection extends BaseFrameConnection {
  private isClosing = false
  private isGone = false
  /** Sends whose callback has not run: `close()` waits for them so nothing accepted is lost. */
  private unsent = 0

  constructor(
    private readonly endpoint: IpcEndpoint,
    readonly description: string,
  ) {
    super()
    endpoint.on('message', this.onMessage)
    endpoint.on('disconnect', this.onDisconnect)
    if (!endpoint.connected) queueMicrotask(this.onDisconnect)
  }

  send(frame: string): Promise<void> {
    const endpoint = this.endpoint
    if (this.isClosing || this.isGone || !endpoint.send || !endpoint.connected)
      return Promise.reject(new Error(`${this.description} is closed`))
    return new Promise<void>((resolve, reject) => {
      let isSettled = false
      this.unsent++
      // `send` returns false when Node's backlog is long: only then does the caller wait for the
      // write itself; otherwise the channel has taken the message.
      const accepted = endpoint.send!(frame, (err) => {
        this.unsent--
        if (this.isClosing && this.unsent === 0) this.disconnect()
        if (isSettled) return
        isSettled = true
        if (err) reject(err)
        else resolve()
      })
      if (accepted && !isSettled) {
        isSettled = true
        resolve()
      }
    })
  }

  close(): void {
    if (this.isClosing || this.isGone) return
    this.isClosing = true
    if (this.unsent === 0) this.disconnect()
  }

  private disconnect(): void {
    if (this.endpoint.connected) this.endpoint.disconnect?.()
    else this.onDisconnect()
  }

  private readonly onMessage = (message: unknown): void => {
    if (!this.isClosing && !this.isGone) this.receiveWholeMessage(message)
  }

  private readonly onDisconnect = (): void => {
    if (this.isGone) return
    this.isGone = true
    this.endpoint.off('message', this.onMessage)
    this.endpoint.off('disconnect', this.onDisconnect)
    this.reportClosed(this.isClosing ? 'closed' : 'disconnected')
  }
}

/** The launcher's end of a forked host's channel. */
export function childIpcConnection(
  child: IpcEndpoint & { readonly pid?: number | undefined },
): ChildIpcConnection {
  return new ChildIpcConnection(child, `child ipc pid ${child.pid ?? '?'}`)
}

/** A forked host's end of its channel to the launcher (`process.send` / `'message'`). */
export function parentIpcConnection(proc: IpcEndpoint = process as IpcEndpoint): ChildIpcConnection {
  return new ChildIpcConnection(proc, 'parent ipc')
}
