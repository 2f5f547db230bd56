import type { HostWriter } from '../host-pipe'
import type { FrameConnection } from './frame-connection'

/**
 * The HostWriter HostPipe writes a registered host's connection through. Where the transport
 * can take a frame at once (`sendOrWait`, a socket), the writer says so (`writeOrWait`), and a
 * burst of commands goes out with no promise per frame, in one transport write.
 */
export function connectionWriter(conn: FrameConnection): HostWriter {
  const write = (line: string): Promise<void> => conn.send(line)
  if (!conn.sendOrWait) return { write }
  return { write, writeOrWait: (line) => conn.sendOrWait!(line) }
}
