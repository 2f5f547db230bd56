import type { HostWriter } from '../host-pipe'
import type { FrameConnection } from './frame-connection'

/** The HostWriter HostPipe writes a registered host's connection through. */
export function connectionWriter(conn: FrameConnection): HostWriter {
  return { write: (line) => conn.send(line) }
}
