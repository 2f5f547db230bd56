// What `start()` waits for: every pool slot's first host registered, or the first reason it never
// will. Apart from the launcher's composition because its outcomes (a give-up, a spawner's setting
// error, the start timeout, dispose) come from several parts and only the first one counts.
import type { HostStartError } from '../../shared/host-start-error'
import type { HostSupervisor } from './host-supervisor'

/**
 * One launch's wait for its first hosts: resolves once each of `slotCount` slots has had a host
 * register; rejects with the first failure (`fail`, `reject`). Anything after it settled is ignored.
 */
export class FirstRegistration {
  private readonly registeredSlots = new Set<number>()
  private settle: { resolve(): void; reject(e: Error): void } | undefined
  private readonly registered: Promise<void>

  constructor(private readonly slotCount: number) {
    this.registered = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject }
    })
  }

  /** A host registered in `slot` (0…slotCount−1). */
  noteRegistered(slot: number): void {
    if (!this.settle) return
    this.registeredSlots.add(slot)
    if (this.registeredSlots.size < this.slotCount) return
    this.settle.resolve()
    this.settle = undefined
  }

  /** No host can start: rejects with `error` once it is known, unless something settled first. */
  fail(error: Promise<HostStartError>): void {
    const settle = this.settle
    if (!settle) return
    this.settle = undefined
    void error.then((e) => settle.reject(e))
  }

  /** Rejects at once with `error` (the launcher is disposed), unless something settled first. */
  reject(error: Error): void {
    this.settle?.reject(error)
    this.settle = undefined
  }

  /**
   * Starts `supervisor`'s hosts and resolves once every slot's first host registered. Rejects with
   * the supervisor's HostStartError when it gives up, or `START_TIMEOUT` after `timeoutMs`
   * (ms; 0: no limit), or with whatever `fail`/`reject` gave first.
   */
  async startHosts(supervisor: HostSupervisor, timeoutMs: number): Promise<void> {
    const gaveUp = supervisor.onDidChange((e) => {
      if (e.type === 'gave-up') this.fail(supervisor.startError())
    })
    const startTimer =
      timeoutMs > 0 ? setTimeout(() => this.fail(supervisor.startError(timeoutMs)), timeoutMs) : undefined
    supervisor.startHost()
    try {
      await this.registered
    } finally {
      clearTimeout(startTimer)
      gaveUp.dispose()
    }
  }
}
