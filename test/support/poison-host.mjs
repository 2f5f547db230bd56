// The real host (out/main/host.js) with one poison: the moment a command whose label is
// HOSTPIPE_POISON_LABEL reaches it, the process SIGKILLs itself, as a handler that crashes the host
// would. Every other command runs as usual. Built for the retry bound (ARCHITECTURE §8): a poison
// command must fail after maxAttempts hosts, not crash-loop the pool.
import net from 'node:net'
import { syncBuiltinESMExports } from 'node:module'
import process from 'node:process'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const needle = `"label":${JSON.stringify(process.env.HOSTPIPE_POISON_LABEL ?? 'poison')}`
const dieOn = (text) => {
  if (text.includes(needle)) process.kill(process.pid, 'SIGKILL')
}

// Port transport, headless: the launcher's frames arrive on the socket pair inherited as fd
// HOSTPIPE_PORT_FD, which the host opens with `new Socket({ fd })`.
const BaseSocket = net.Socket
net.Socket = class PoisonWatchingSocket extends BaseSocket {
  constructor(...args) {
    super(...args)
    if (args[0]?.fd !== undefined) this.on('data', (chunk) => dieOn(chunk.toString('utf8')))
  }
}

// Pipe transport: watch the socket the host opens to its launcher.
const connect = net.connect
net.connect = (...args) => {
  const socket = connect(...args)
  socket.on('data', (chunk) => dieOn(chunk.toString('utf8')))
  return socket
}
syncBuiltinESMExports()

await import(pathToFileURL(resolve(process.env.HOSTPIPE_REAL_HOST ?? 'out/main/host.js')).href)
