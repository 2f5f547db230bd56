import type { HostWriter } from '../host-pipe'
import type { FrameConnection } from './frame-connection'

/**
 * The HostWriter HostPipe writes a registered host's connection through. Where the transport
 * can take a frame at once (`sendOrWait`, a socket), the writer says so (`writeOrWait`), and a
 * burst of commands goes out with no promise per frame, in one transport write. `hasBytes`: the
 * host announced `bytes`; the writer then takes byte frames where the transport carries them.
 */
export function connectionWriter(conn: FrameConnection, hasBytes = false): HostWriter {
  const write = (line: string): Promise<void> => conn.send(line)
  const writer: HostWriter = conn.sendOrWait
    ? { write, writeOrWait: (line) => conn.sendOrWait!(line) }
    : { write }
  if (hasBytes && conn.sendByteFrame) writer.writeByteFrame = (frame) => conn.sendByteFrame!(frame)
  return writer
}
