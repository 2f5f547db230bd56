import type { InboundFrame } from '../../shared/byte-frame'
import type { SplitValue } from '../../shared/byte-value'

/**
 * One client connection as the protocol layer sees it: whole frames in, whole frames out,
 * whatever carries them (NDJSON lines on a socket, a MessagePort, a process IPC channel).
 * Transports split and size-check inbound data before it becomes a frame.
 */
export interface FrameConnection {
  /** Sends one frame (no trailing newline). Resolves when the transport took it; rejects once closed. */
  send(frame: string): Promise<void>
  /**
   * Optional: `send` without a promise when the transport takes the frame at once. Returns
   * `undefined` then, or the promise `send` would have returned (the caller must wait, or the
   * connection is closed). Transports that always need a promise leave it out.
   */
  sendOrWait?(frame: string): Promise<void> | undefined
  /**
   * Sets the inbound handler. `frame` is one whole frame; `tooLarge` is set instead when the peer
   * sent more than `maxFrameBytes` without ending the frame (the transport stopped reading it).
   */
  onFrame(fn: (frame: InboundFrame) => void): void
  onTooLarge(fn: (bytes: number) => void): void
  /** Called once, when the connection is gone (EOF, error, or `close()`). */
  onClose(fn: (reason: string) => void): void
  /** The most one inbound frame may take, in bytes; MAX_FRAME_BYTES until raised. */
  readonly maxFrameBytes: number
  /**
   * Sets the inbound frame cap (bytes, a positive integer): raised once the peer registered and
   * learned `max_payload_bytes` (docs/protocol.md#payload-size). The reader never holds more
   * than this for one frame.
   */
  setMaxFrameBytes(bytes: number): void
  /**
   * Optional, with `acceptByteFrames`: the transport carries byte frames
   * (docs/protocol.md#byte-frames). Sends one, with `sendOrWait`'s contract: undefined when the
   * transport took it, else the promise to wait for (rejected once closed). The blocks are not
   * copied before they are handed to the transport: they must not change until then.
   */
  sendByteFrame?(frame: SplitValue): Promise<void> | undefined
  /**
   * Optional: from now on byte frames are read too, each delivered to `onFrame` as a
   * `ReceivedByteFrame`. Called once the peer announced (or was told of) the `bytes` feature.
   */
  acceptByteFrames?(): void
  /** Closes the connection; idempotent. Frames already accepted by `send` are flushed first. */
  close(): void
  /** For logs: "unix socket #3", "child ipc pid 123", … */
  readonly description: string
}
