/**
 * The one thing HostPipe needs of a connected host: a way to write a frame. HostPipe never sees a
 * socket, a process or Electron.
 */
export interface HostWriter {
  /** Writes one frame (no trailing `\n`); resolves when the transport has taken it. */
  write(line: string): Promise<void>
  /**
   * Optional synchronous form of `write`, for transports that can take a frame at once (a socket
   * below its high-water mark). Returns `undefined` when the transport took `line` now (what a
   * `write` that resolves at once means), or the promise `write` would have returned when the
   * caller must wait (backpressure) or the write failed (rejected: the frame was not taken). It
   * should not throw; a throw counts as a failed write. When it is there HostPipe uses it instead
   * of `write`, so a burst of frames costs no promise and no `await` per frame.
   */
  writeOrWait?(line: string): Promise<void> | undefined
}
