/**
 * The one thing HostPipe needs of a connected host: a way to write a frame. HostPipe never sees a
 * socket, a process or Electron.
 */
export interface HostWriter {
  /** Writes one frame (no trailing `\n`); resolves when the transport has taken it. */
  write(line: string): Promise<void>
}
