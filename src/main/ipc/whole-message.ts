import { exceedsFrameLimit, MAX_FRAME_BYTES, utf8ByteLength } from '../../shared/protocol-core'

export type WholeMessage = { ok: true; frame: string | Uint8Array } | { ok: false; bytes: number }

/**
 * Turns one message of a message-based transport (process IPC, MessagePort) into a frame, or says
 * it is too large. Such transports deliver messages whole, so the size cap
 * (docs/protocol.md#framing) is applied here, on receipt, instead of by a framer.
 *
 * Frames are JSON strings. A peer that posts a structured object instead is read as that
 * object's JSON, so it gets the same validation (and the same errors) as a string would.
 */
export function checkWholeMessage(message: unknown, maxBytes: number = MAX_FRAME_BYTES): WholeMessage {
  if (typeof message === 'string')
    return exceedsFrameLimit(message, maxBytes)
      ? { ok: false, bytes: utf8ByteLength(message) }
      : { ok: true, frame: message }
  if (message instanceof Uint8Array)
    return message.byteLength > maxBytes
      ? { ok: false, bytes: message.byteLength }
      : { ok: true, frame: message }
  let text: string
  try {
    text = JSON.stringify(message) ?? 'null'
  } catch {
    text = 'null'
  }
  return checkWholeMessage(text, maxBytes)
}
