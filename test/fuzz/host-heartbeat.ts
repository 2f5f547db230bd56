import type { HostPipe } from '../../src/main/host-pipe'

/**
 * Keeps a registered host busy while something else is going on: a saga command every
 * `intervalMs`, and how long each took to be acked. The host is healthy when every command was
 * acked, none failed, and the slowest ack stayed small.
 */
export class HostHeartbeat {
  sent = 0
  maxAckLatencyMs = 0
  private readonly sentAt: number[] = []
  /** HostPipe's `acked` when the heartbeat started: only the host is sent commands here. */
  private readonly base: number
  private ackedSeen = 0
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly unsubscribe: () => void

  constructor(
    private readonly pipe: Pick<HostPipe, 'sendCommand' | 'snapshot' | 'on'>,
    private readonly intervalMs = 20,
    private readonly firstSagaId = 1_000_000,
  ) {
    this.base = pipe.snapshot().counters.acked
    this.unsubscribe = pipe.on('change', (s) => {
      for (; this.ackedSeen < Math.min(s.counters.acked - this.base, this.sentAt.length); this.ackedSeen++)
        this.maxAckLatencyMs = Math.max(
          this.maxAckLatencyMs,
          performance.now() - this.sentAt[this.ackedSeen]!,
        )
    })
  }

  /** Commands the host acked since the heartbeat started. */
  get acked(): number {
    return this.pipe.snapshot().counters.acked - this.base
  }

  start(): void {
    this.timer = setInterval(() => {
      this.sentAt.push(performance.now())
      void this.pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: this.firstSagaId + this.sent++ })
    }, this.intervalMs)
  }

  stop(): void {
    clearInterval(this.timer)
    this.unsubscribe()
  }
}
