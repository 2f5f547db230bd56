import { HostStartError, type HostStartErrorCode } from '../../shared/host-start-error'
import type { HostHandle } from './host-handle'

type LastFailure =
  | { kind: 'spawn-failed'; error: unknown }
  | { kind: 'exited'; handle: HostHandle }
  | { kind: 'not-registered'; handle: HostHandle; timeoutMs: number }

/**
 * The last host that failed to start and how, until one registers: what `HostStartError` says
 * when the supervisor gives up or the launcher's start times out (docs/launcher.md#start-failures).
 */
export class StartFailures {
  private last: LastFailure | undefined

  noteSpawnFailed(error: unknown): void {
    this.last = { kind: 'spawn-failed', error }
  }

  noteExited(handle: HostHandle): void {
    // Killed for not registering: that is why it exited.
    if (this.last?.kind === 'not-registered' && this.last.handle === handle) return
    this.last = { kind: 'exited', handle }
  }

  noteNotRegistered(handle: HostHandle, timeoutMs: number): void {
    this.last = { kind: 'not-registered', handle, timeoutMs }
  }

  /** A host registered: earlier failures no longer explain anything. */
  clear(): void {
    this.last = undefined
  }

  /**
   * The error for the last failure; with `startTimeoutMs`, a START_TIMEOUT naming the host still
   * starting (`starting`) or the last one that failed. Waits for that host's stderr to end.
   */
  async describe(starting: HostHandle | undefined, startTimeoutMs?: number): Promise<HostStartError> {
    const last = this.last
    if (last?.kind === 'spawn-failed' && startTimeoutMs === undefined) {
      if (last.error instanceof HostStartError) return last.error
      return new HostStartError('SPAWN_FAILED', `the host could not be spawned: ${String(last.error)}`)
    }
    const handle =
      startTimeoutMs !== undefined && starting
        ? starting
        : last?.kind === 'spawn-failed'
          ? undefined
          : last?.handle
    const stderrTail = (await handle?.process.stderrTail?.()) ?? []
    const details = {
      entry: handle?.process.entry,
      exitCode: handle?.exit?.code ?? null,
      signal: handle?.exit?.signal ?? null,
      stderrTail,
    }
    let code: HostStartErrorCode
    let summary: string
    if (startTimeoutMs !== undefined) {
      code = 'START_TIMEOUT'
      summary = `no host registered within ${startTimeoutMs} ms (startTimeoutMs)`
      if (last?.kind === 'spawn-failed') summary += `; the last spawn failed: ${String(last.error)}`
    } else if (last?.kind === 'not-registered') {
      code = 'NOT_REGISTERED'
      summary = `the host never registered (killed after ${last.timeoutMs} ms each time; does its entry call runHost?); gave up`
    } else {
      code = 'EXITED'
      summary = 'the host exited before registering on every start; gave up'
    }
    return new HostStartError(code, summary, details)
  }
}
