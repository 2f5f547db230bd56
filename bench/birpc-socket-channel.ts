import type { Socket } from 'node:net'
import { NdjsonLineWriter } from './ndjson-line-writer'
import { readNdjsonLines } from './ndjson-line-reader'

/** birpc's `ChannelOptions` as this bench fills them (its own types are `any`-typed). */
export interface BirpcSocketChannel {
  post: (line: string) => void
  on: (fn: (line: string) => void) => void
  serialize: (msg: unknown) => string
  deserialize: (line: string) => unknown
}

/**
 * A birpc channel over a byte stream: one message per NDJSON line, `JSON.stringify` /
 * `JSON.parse`, written with NdjsonLineWriter (SocketConnection's policy). birpc defines no
 * transport of its own, so its peer gets the same framing and writes as the raw baseline.
 */
export function birpcSocketChannel(socket: Socket): BirpcSocketChannel {
  const writer = new NdjsonLineWriter(socket)
  const listeners: ((line: string) => void)[] = []
  readNdjsonLines(socket, (lines) => {
    for (const line of lines) for (const fn of listeners) fn(line)
  })
  return {
    post: (line) => writer.write(line),
    on: (fn) => void listeners.push(fn),
    serialize: (msg) => JSON.stringify(msg),
    deserialize: (line) => JSON.parse(line) as unknown,
  }
}
