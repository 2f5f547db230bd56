// A host that registers, then closes its connection (the socket, or the inherited socket pair) and keeps
// running: a live process with a dead channel, which the launcher must kill and replace.
import { connect, Socket } from 'node:net'
import process from 'node:process'
import { setInterval } from 'node:timers'

const register = JSON.stringify({
  cmd: 'register',
  kind: 'host',
  pid: process.pid,
  version: '0.0.0-deaf',
  token: process.env.HOSTPIPE_TOKEN ?? '',
  features: ['ack', 'deadline'],
  spawn_id: process.env.HOSTPIPE_SPAWN_ID,
})
const isRegistered = (text) => text.includes('"event":"registered"')

// Stays alive whatever happens to its channel.
setInterval(() => undefined, 1000)
process.on('SIGTERM', () => undefined)

// The pipe transport's socket, or the port transport's socket pair on the inherited fd.
const portFd = process.env.HOSTPIPE_PORT_FD
const socket =
  process.env.HOSTPIPE_TRANSPORT === 'port' && portFd !== undefined
    ? new Socket({ fd: Number(portFd), readable: true, writable: true })
    : connect(process.env.HOSTPIPE_PIPE)
let text = ''
socket.setEncoding('utf8')
socket.on('data', (chunk) => {
  text += chunk
  if (isRegistered(text)) socket.destroy()
})
socket.on('error', () => undefined)
socket.write(register + '\n')
