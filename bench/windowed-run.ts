import { PIPE_WORKLOAD, type CommandTarget, type Workload } from './workload'

/** Unacked commands allowed at once: HostPipe's MAX_IN_FLIGHT, so HostPipe never buffers. */
export const WINDOW = 1024
/** A run that stops making progress for this long has failed (a hung host, a lost ack). */
const STALL_TIMEOUT_MS = 30_000

/**
 * Sends `count` commands as fast as the host takes them, keeping at most `window` unacked, and
 * resolves with the milliseconds from the first send to the ack of the last: end to end, the
 * same flow control for HostPipe and the raw baseline.
 */
export function runWindowed(
  target: CommandTarget,
  count: number,
  workload: Workload = PIPE_WORKLOAD,
  window = WINDOW,
): Promise<number> {
  const base = target.acked
  let sent = 0
  return new Promise<number>((resolve, reject) => {
    let lastProgressAt = performance.now()
    let lastAcked = 0
    const watchdog = setInterval(() => {
      const acked = target.acked - base
      if (acked !== lastAcked) {
        lastAcked = acked
        lastProgressAt = performance.now()
      } else if (performance.now() - lastProgressAt > STALL_TIMEOUT_MS) finish(new Error('stalled'))
    }, 1000)
    const finish = (err?: Error): void => {
      clearInterval(watchdog)
      target.onAck = undefined
      if (err) reject(new Error(`${target.name}: ${err.message} after ${target.acked - base} acks`))
      else resolve(performance.now() - started)
    }
    const fill = (): void => {
      if (target.failure) return finish(target.failure)
      const acked = target.acked - base
      if (acked >= count) return finish()
      const limit = Math.min(count, acked + window)
      while (sent < limit) target.send(workload.commandAt(sent++))
    }
    const started = performance.now()
    target.onAck = fill
    fill()
  })
}
