import { PIPE_WORKLOAD, type CommandTarget } from './workload'

/**
 * Sends commands at a fixed rate, paced by a 1 ms timer loop (each tick sends what the schedule
 * says is due, so the rate holds even when a tick is late), and records each command's latency:
 * from its `send` call to the ack that covers it. Acks are cumulative and in order, so the k-th
 * acked command is the k-th sent. Resolves with the latencies in ms, in send order.
 */
export function runPaced(
  target: CommandTarget,
  ratePerSecond: number,
  durationMs: number,
): Promise<Float64Array> {
  const count = Math.round((ratePerSecond * durationMs) / 1000)
  const sentAt = new Float64Array(count)
  const latencies = new Float64Array(count)
  const base = target.acked
  let sent = 0
  let done = 0
  return new Promise<Float64Array>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    // Generous: the rate is far below what the host takes, so a stall means something broke.
    const deadline = setTimeout(() => finish(new Error('acks did not keep up')), durationMs + 30_000)
    const finish = (err?: Error): void => {
      clearTimeout(deadline)
      if (timer) clearTimeout(timer)
      target.onAck = undefined
      if (err) reject(new Error(`${target.name}: ${err.message} (${done}/${count} acked)`))
      else resolve(latencies)
    }
    target.onAck = () => {
      const now = performance.now()
      const acked = Math.min(count, target.acked - base)
      for (; done < acked; done++) latencies[done] = now - sentAt[done]!
      if (done === count) finish()
    }
    const started = performance.now()
    const tick = (): void => {
      timer = undefined
      if (target.failure) return finish(target.failure)
      const due = Math.min(count, Math.floor(((performance.now() - started) * ratePerSecond) / 1000))
      for (; sent < due; sent++) {
        sentAt[sent] = performance.now()
        target.send(PIPE_WORKLOAD.commandAt(sent))
      }
      if (sent < count) timer = setTimeout(tick, 1)
    }
    tick()
  })
}
