/**
 * A byte frame as one message of a message transport (a MessagePort), where structured clone
 * carries the blocks and no stream layout is needed (docs/protocol.md#byte-frames).
 *
 * Runtime-free: no Node, no DOM.
 */
import { utf8ByteLength } from './protocol-core'
import { ByteFrameError, joinValue, type SplitValue } from './byte-value'
import { FIXED_PREFIX_BYTES, ReceivedByteFrame } from './byte-frame'

/**
 * A byte frame as one message of a message transport (a MessagePort): the header text and the
 * blocks, which structured clone copies once. The key cannot start a JSON frame's own shape, and
 * a message of this shape is read as one only on a connection that negotiated byte frames.
 */
export interface ByteFrameMessage {
  byte_frame: string
  blocks: Uint8Array[]
}

/**
 * The message for `split`. A block that views only part of its buffer (a pooled `Buffer`, a
 * `subarray`) is cut out first: structured clone copies a view's whole buffer.
 */
export function toByteFrameMessage(split: SplitValue): ByteFrameMessage {
  return {
    byte_frame: split.header,
    blocks: split.blocks.map((b) =>
      b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.constructor === Uint8Array
        ? b
        : new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice(),
    ),
  }
}

/** True when `message` has the shape of a ByteFrameMessage. */
export function isByteFrameMessage(message: unknown): message is ByteFrameMessage {
  if (typeof message !== 'object' || message === null) return false
  const m = message as Partial<ByteFrameMessage>
  return typeof m.byte_frame === 'string' && Array.isArray(m.blocks)
}

/**
 * Reads a ByteFrameMessage (a message transport delivered it whole): refused as FRAME_TOO_LARGE
 * over `maxFrameBytes`, and as BAD_HEADER when a block is not a Uint8Array or the header does
 * not fit the blocks. Never throws.
 */
export function receiveByteFrameMessage(message: ByteFrameMessage, maxFrameBytes: number): ReceivedByteFrame {
  const blocks = message.blocks
  let byteLength = FIXED_PREFIX_BYTES + 4 * blocks.length + utf8ByteLength(message.byte_frame)
  for (let i = 0; i < blocks.length; i++) {
    const block: unknown = blocks[i]
    if (!(block instanceof Uint8Array))
      return new ReceivedByteFrame(
        byteLength,
        undefined,
        new ByteFrameError('BAD_HEADER', `block ${i} is not a Uint8Array`),
      )
    byteLength += block.byteLength
  }
  if (byteLength > maxFrameBytes)
    return new ReceivedByteFrame(
      byteLength,
      undefined,
      new ByteFrameError(
        'FRAME_TOO_LARGE',
        `frame is ${byteLength} bytes; maxFrameBytes is ${maxFrameBytes}`,
      ),
    )
  try {
    return new ReceivedByteFrame(byteLength, joinValue(message.byte_frame, blocks))
  } catch (err) {
    const error = err instanceof ByteFrameError ? err : new ByteFrameError('BAD_HEADER', String(err))
    return new ReceivedByteFrame(byteLength, undefined, error)
  }
}
