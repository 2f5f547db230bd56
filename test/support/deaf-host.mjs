// A host that registers, then closes its connection (the socket, or the IPC channel) and keeps
// running: a live process with a dead channel, which the launcher must kill and replace.
import { connect } from 'node:net'
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

if (process.env.HOSTPIPE_TRANSPORT === 'port') {
  process.on('message', (message) => {
    if (typeof message === 'string' && isRegistered(message)) process.disconnect()
  })
  process.send(register)
} else {
  const socket = connect(process.env.HOSTPIPE_PIPE)
  let text = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk) => {
    text += chunk
    if (isRegistered(text)) socket.destroy()
  })
  socket.on('error', () => undefined)
  socket.write(register + '\n')
}
