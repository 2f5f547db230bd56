/**
 * Preloaded (`node --import`) into tools the tests run that would otherwise reach for the
 * network (Electronegativity fetches translations and Electron's release list): every DNS lookup
 * fails at once, so nothing leaves the machine and the tool falls back to its offline behaviour.
 */
import dns from 'node:dns'
import { setImmediate } from 'node:timers'

dns.lookup = (hostname, options, callback) => {
  const done = typeof options === 'function' ? options : callback
  const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (offline in tests)`), {
    code: 'ENOTFOUND',
    hostname,
  })
  setImmediate(() => done(err))
}
