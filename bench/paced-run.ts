import { WINDOW } from './windowed-run'
import { PIPE_WORKLOAD, type CommandTarget } from './workload'

/**
 * Sends commands at a fixed rate, paced by a 1 ms timer loop (each tick sends what the schedule
 * says is due, so the rate holds even when a tick is late), and records each command's latency:
 * from its `send` call to the ack that covers it. Acks are cumulative and in order, so the k-th
 * acked command is the k-th sent. Resolves with the latencies in ms, in send order.
 *
 * At most WINDOW commands are left unacked, as in the throughput rounds: a host that falls that
 * far behind (a machine too busy to keep 10k/s) holds the schedule back instead of pushing HostPipe
 * into buffering and dropping commands whose acks would then never come. Commands held back are
 * counted (`onHeldBack`) and sent as acks free the window; their latency is still measured from
 * their send.
 */
export function runPaced(
  target: CommandTarget,
  ratePerSecond: number,
  durationMs: number,
  onHeldBack?: (commands: number) => void,
): Promise<Float64Array> {
  const count = Math.round((ratePerSecond * durationMs) / 1000)
  const sentAt = new Float64Array(count)
  const latencies = new Float64Array(count)
  const base = target.acked
  let sent = 0
  let done = 0
  let heldBack = 0
  let isHeld = false
  return new Promise<Float64Array>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    // Generous: the rate is far below what the host takes, so a stall means something broke.
    const deadline = setTimeout(() => finish(new Error('acks did not keep up')), durationMs + 30_000)
    const finish = (err?: Error): void => {
      clearTimeout(deadline)
      if (timer) clearTimeout(timer)
      target.onAck = undefined
      if (heldBack > 0) onHeldBack?.(heldBack)
      if (err) reject(new Error(`${target.name}: ${err.message} (${done}/${count} acked)`))
      else resolve(latencies)
    }
    target.onAck = () => {
      const now = performance.now()
      const acked = Math.min(count, target.acked - base)
      for (; done < acked; done++) latencies[done] = now - sentAt[done]!
      if (done === count) return finish()
      // Commands held back by a full window go as soon as it has room again.
      if (isHeld) send()
    }
    const due = (): number =>
      Math.min(count, Math.floor(((performance.now() - started) * ratePerSecond) / 1000))
    const send = (): void => {
      const until = due()
      for (; sent < until && sent - done < WINDOW; sent++) {
        sentAt[sent] = performance.now()
        target.send(PIPE_WORKLOAD.commandAt(sent))
      }
      isHeld = sent < until
      if (isHeld) heldBack = Math.max(heldBack, until - sent)
    }
    const started = performance.now()
    const tick = (): void => {
      timer = undefined
      if (target.failure) return finish(target.failure)
      send()
      if (sent < count) timer = setTimeout(tick, 1)
    }
    tick()
  })
}
