import type { Socket } from 'node:net'
import type { Endpoint } from 'comlink'
import { NdjsonLineWriter } from './ndjson-line-writer'
import { readNdjsonLines } from './ndjson-line-reader'

/** What comlink reads of a `message` event: its `data`. */
interface MessageLike {
  data: unknown
}
type MessageListener = (event: MessageLike) => void

/**
 * A comlink `Endpoint` over a byte stream, as comlink's own node adapter wraps a worker: each
 * `postMessage` is one NDJSON line (`JSON.stringify`), each line read is `JSON.parse`d and handed
 * to the `message` listeners as `{ data }`. Written with NdjsonLineWriter (SocketConnection's
 * policy), so comlink gets the same framing and writes as the raw call loop. No transferables: a
 * byte stream cannot carry them, and nothing here passes any.
 */
export function comlinkSocketEndpoint(socket: Socket): Endpoint {
  const writer = new NdjsonLineWriter(socket)
  const listeners = new Set<MessageListener>()
  readNdjsonLines(socket, (lines) => {
    for (const line of lines) {
      const event: MessageLike = { data: JSON.parse(line) as unknown }
      for (const listener of listeners) listener(event)
    }
  })
  const endpoint = {
    postMessage: (message: unknown): void => writer.write(JSON.stringify(message)),
    addEventListener: (type: string, listener: MessageListener): void => {
      if (type === 'message') listeners.add(listener)
    },
    removeEventListener: (type: string, listener: MessageListener): void => {
      if (type === 'message') listeners.delete(listener)
    },
  }
  // comlink's listener types are the DOM's (MessageEvent, EventListenerObject); it only ever
  // passes functions and reads `event.data`, which is what this endpoint gives.
  return endpoint as unknown as Endpoint
}
