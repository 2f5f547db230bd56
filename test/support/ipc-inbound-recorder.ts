import type { InboundFrame } from '../../src/shared/byte-frame'
import type { FrameConnection } from '../../src/main/ipc/frame-connection'

/** Records what a connection hands the protocol layer: frames, over-long frames, closes. */
export function recordInbound(conn: FrameConnection): {
  frames: InboundFrame[]
  tooLarge: number[]
  closes: string[]
} {
  const frames: InboundFrame[] = []
  const tooLarge: number[] = []
  const closes: string[] = []
  conn.onFrame((f) => frames.push(f))
  conn.onTooLarge((b) => tooLarge.push(b))
  conn.onClose((r) => closes.push(r))
  return { frames, tooLarge, closes }
}
