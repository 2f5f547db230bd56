import { MessageChannelMain, type MessagePortMain } from 'electron'
import type { FrameConnection } from '../ipc/frame-connection'
import { MessagePortConnection } from '../ipc/message-port-connection'

/** The message that carries the `port` transport's MessagePort to a host (`process.parentPort`). */
export const HOST_PORT_MESSAGE = { type: 'hostpipe-port' } as const

/** The part of a UtilityProcess that receives the port. */
export interface PortReceiver {
  postMessage(message: unknown, transfer?: MessagePortMain[]): void
}

/**
 * Opens the `port` transport to a utility-process host: a MessageChannelMain whose one end goes
 * to the host and whose other end becomes the launcher's FrameConnection (size-checked on
 * receipt, closed explicitly, never posted to once closed: see ipc/message-port-connection).
 * Posted at once, right after fork: Electron queues it until the child runs, and it is the only
 * message ever posted to the child, so nothing is posted after it exits.
 */
export function connectHostPort(child: PortReceiver, description: string): FrameConnection {
  const { port1, port2 } = new MessageChannelMain()
  child.postMessage(HOST_PORT_MESSAGE, [port2])
  return new MessagePortConnection(port1, description)
}
