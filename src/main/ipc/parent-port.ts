import type { MessagePortLike } from './message-port-connection'

/** The part of Electron's `process.parentPort` (in a utilityProcess) the host uses. */
export interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports: MessagePortLike[] }) => void): unknown
  off(event: 'message', listener: (e: { data: unknown; ports: MessagePortLike[] }) => void): unknown
}

/** `process.parentPort` when running under Electron's utilityProcess, else undefined. */
export function findParentPort(proc: object = process): ParentPortLike | undefined {
  const candidate = (proc as { parentPort?: unknown }).parentPort
  if (typeof candidate !== 'object' || candidate === null) return undefined
  return typeof (candidate as { on?: unknown }).on === 'function' ? (candidate as ParentPortLike) : undefined
}

/**
 * Waits for the launcher to hand this utility process its end of a `MessageChannelMain`: the
 * first parent-port message that carries a port (`child.postMessage(anything, [port])`).
 * Messages without a port are ignored. Rejects after `timeoutMs` so a host is never left waiting.
 */
export function receiveMessagePort(parentPort: ParentPortLike, timeoutMs = 10_000): Promise<MessagePortLike> {
  return new Promise((resolve, reject) => {
    const onMessage = (e: { data: unknown; ports: MessagePortLike[] }): void => {
      const port = e.ports?.[0]
      if (!port) return
      clearTimeout(timer)
      parentPort.off('message', onMessage)
      resolve(port)
    }
    const timer = setTimeout(() => {
      parentPort.off('message', onMessage)
      reject(new Error(`no MessagePort arrived on process.parentPort within ${timeoutMs} ms`))
    }, timeoutMs)
    parentPort.on('message', onMessage)
  })
}
