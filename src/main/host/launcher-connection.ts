import { connect, Socket } from 'node:net'
import type { Logger } from '../base/logger'
import { parentIpcConnection, type IpcEndpoint } from '../ipc/child-ipc-connection'
import type { FrameConnection } from '../ipc/frame-connection'
import { MessagePortConnection } from '../ipc/message-port-connection'
import { findParentPort, receiveMessagePort } from '../ipc/parent-port'
import { SocketConnection } from '../ipc/socket-connection'
import type { HostConfig } from './host-config'

/**
 * Opens the host's one connection to its launcher, by transport:
 * - `pipe`: the socket in HOSTPIPE_PIPE;
 * - `port` under Electron's utilityProcess: the MessagePort the launcher posts on `process.parentPort`;
 * - `port` under plain Node: the socket inherited on HOSTPIPE_PORT_FD (our launcher's spawner), else
 *   the Node IPC channel (`process.send`) of a parent that forked this host itself.
 * `onSocket` sees the stream socket (the first two) before anything is written to it.
 */
export async function openLauncherConnection(
  config: HostConfig,
  log: Logger,
  onSocket?: (socket: Socket) => void,
): Promise<FrameConnection> {
  if (config.transport === 'pipe') return connectSocket(config.pipePath!, log, onSocket)
  const parentPort = findParentPort()
  if (parentPort)
    return new MessagePortConnection(await receiveMessagePort(parentPort), 'launcher message port')
  if (config.portFd !== undefined) {
    const socket = new Socket({ fd: config.portFd, readable: true, writable: true })
    onSocket?.(socket)
    return new SocketConnection(socket, { description: `launcher fd ${config.portFd}`, log })
  }
  if (!process.send)
    throw new Error(
      'port transport needs a channel: HOSTPIPE_PORT_FD (an inherited socket) or an IPC channel (child_process.fork)',
    )
  return parentIpcConnection(process as IpcEndpoint)
}

/** Whether this process was given a channel the `port` transport can use. */
export function hasPortChannel(env: NodeJS.ProcessEnv = process.env): boolean {
  return findParentPort() !== undefined || !!env.HOSTPIPE_PORT_FD || typeof process.send === 'function'
}

function connectSocket(
  path: string,
  log: Logger,
  onSocket: ((socket: Socket) => void) | undefined,
): Promise<FrameConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(path)
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      onSocket?.(socket)
      resolve(new SocketConnection(socket, { description: `launcher socket ${path}`, log }))
    })
  })
}
