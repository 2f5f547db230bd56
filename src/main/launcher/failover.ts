import type { Clock } from '../base/clock'
import type { Disposable } from '../base/disposable'
import type { Logger } from '../base/logger'
import { TimerSlot } from '../base/timer-slot'
import type { ActiveHost } from './active-host'
import { signalHost, type HostHandle } from './host-handle'
import type { HostExitInfo } from './host-spawner'
import type { HostSpawns } from './host-spawns'
import type { RestartBackoff } from './restart-backoff'
import type { StandbyPool } from './standby-pool'
import type { HostLossReason, SupervisorStatus } from './supervisor-event'

export interface FailoverOptions {
  /** The pool slot whose host this replaces (a promoted standby takes this slot's pipe). */
  slot: number
  clock: Clock
  log: Logger
  backoff: RestartBackoff
  status: SupervisorStatus
  active: ActiveHost
  standbys: StandbyPool
  spawns: HostSpawns
  /** Closes the launcher's connection to the lost host; may throw (logged). */
  closeHostConnection: (reason: string) => void
  /** Another pool slot's host is serving: the standbys are its spares still. Default: none is. */
  isAnotherSlotRunning?: () => boolean
}

/**
 * Brings the active host up and replaces it when it is lost (docs/launcher.md): the restart policy
 * classifies each loss; a ready standby is promoted at once, else a host is spawned (at once after
 * a serving loss, with backoff after a start failure), or the policy gives up. A standby that gets
 * ready while the active host waits out a backoff, or while a cold replacement still starts, takes
 * over. The supervisor owns the rest of the state machine (starting on request, stopping).
 */
export class Failover implements Disposable {
  private restartCount = 0
  private failoverCount = 0
  /** The backoff wait before a restart. */
  private readonly restartTimer: TimerSlot

  constructor(private readonly opts: FailoverOptions) {
    this.restartTimer = new TimerSlot(opts.clock)
  }

  /** Replacements of the active host, promotions included (only grows). */
  get restarts(): number {
    return this.restartCount
  }

  /** Standbys promoted to active (only grows). */
  get failovers(): number {
    return this.failoverCount
  }

  /** Spawns the active host (`isRestart`: it replaces a lost one); a spawn that throws is a loss. */
  spawnActive(isRestart: boolean): void {
    this.restartTimer.clear()
    const handle = this.opts.spawns.spawn('active', this.opts.slot)
    if (!handle) return this.replace()
    this.opts.active.set(handle, isRestart)
    if (isRestart) this.restartCount++
    this.opts.log.info(
      `[supervisor] host started (pid ${handle.pid ?? '?'})${isRestart ? ` — restart #${this.restartCount}` : ''}`,
    )
    this.opts.status.set('starting', { type: 'spawned', pid: handle.pid, restart: isRestart })
  }

  /** Cancels a pending restart (stop-host, dispose). */
  cancelRestart(): void {
    this.restartTimer.clear()
  }

  /**
   * The serving host is lost while its process may live on: SIGKILL, it retires, its connection
   * goes now, and it is replaced at once (see HostSupervisor.loseHost).
   */
  lose(reason: HostLossReason, detail: string): void {
    const { active, log } = this.opts
    const handle = active.handle!
    const exit = handle.exit ? `; it had exited (${describeExit(handle.exit)})` : ''
    log.warn(`[supervisor] host pid ${handle.pid ?? '?'} lost (${reason}): ${detail}${exit}; SIGKILL`)
    active.retire()
    this.opts.status.emit({
      type: 'lost',
      pid: handle.pid,
      spawnId: handle.spawnId,
      reason,
      detail,
      ...(handle.exit && { exit: handle.exit }),
    })
    signalHost(handle.process, 'SIGKILL', log)
    // Its connection goes now, before a replacement takes the pipe: nothing more is written to a
    // dying host, and its unacked commands fail (or are retried) at once, not at its EOF.
    try {
      this.opts.closeHostConnection(`host lost (${reason})`)
    } catch (err) {
      log.error(`[supervisor] closing the lost host's connection threw: ${String(err)}`)
    }
    this.replace()
  }

  /**
   * The active host is gone (already taken out of the active slot): a ready standby is promoted,
   * else a host is spawned per the policy, or the policy gives up.
   */
  replace(): void {
    const { backoff, log, standbys, status } = this.opts
    const decision = backoff.recordCrash(this.opts.slot)
    if (decision.action === 'give-up') {
      log.error(
        `[supervisor] host lost ${decision.crashesInWindow} times within the window: giving up (start-host in the panel, or the app's stop() then start(), starts it again)`,
      )
      if (this.opts.isAnotherSlotRunning?.() !== true) {
        standbys.cancelRefill()
        standbys.retireAll()
      }
      status.set('gave-up', { type: 'gave-up', crashesInWindow: decision.crashesInWindow })
      return
    }
    const ready = standbys.firstReady()
    if (ready) return this.promote(ready)
    log.info(
      `[supervisor] ${decision.kind}: restarting host in ${decision.delayMs} ms (attempt ${decision.attempt + 1})`,
    )
    status.set('backoff', { type: 'restart-scheduled', delayMs: decision.delayMs, attempt: decision.attempt })
    if (decision.delayMs === 0) this.spawnActive(true)
    else
      this.restartTimer.set(() => {
        if (status.state === 'backoff') this.spawnActive(true)
      }, decision.delayMs)
  }

  /**
   * A standby got ready: if the active host is waiting out a backoff, it is promoted at once; if
   * the active host was lost while this standby was still starting, a cold host was spawned, and
   * the standby, started earlier, is ready first: it takes over, the cold one goes.
   */
  onStandbyReady(standby: HostHandle): void {
    const { active, log, status } = this.opts
    if (status.state === 'backoff') {
      this.restartTimer.clear()
      this.promote(standby)
    } else if (status.state === 'starting' && active.isReplacing) {
      const cold = active.process!
      log.info(`[supervisor] standby ready first: dropping the starting host pid ${cold.pid ?? '?'}`)
      active.retire()
      signalHost(cold, 'SIGKILL', log)
      this.promote(standby, true)
    }
  }

  dispose(): void {
    this.restartTimer.dispose()
  }

  /**
   * A ready standby becomes the active host; a replacement standby is spawned a little later, once
   * the lost host's calls have settled and the promoted host's drain is answered
   * (StandbyPool.fillAfterPromotion).
   * `isCounted`: this replacement was already counted (by the cold spawn the standby beat).
   */
  private promote(standby: HostHandle, isCounted = false): void {
    const { active, standbys } = this.opts
    standbys.take(standby)
    active.set(standby, false)
    if (!isCounted) this.restartCount++
    this.failoverCount++
    // Its run counts from its registration: a standby that served as spare is no start failure.
    this.opts.backoff.recordRunning(standby.registeredAt, this.opts.slot)
    this.opts.log.info(
      `[supervisor] standby pid ${standby.pid ?? '?'} promoted — restart #${this.restartCount}, failover #${this.failoverCount}`,
    )
    this.opts.status.set('running', { type: 'promoted', pid: standby.pid, spawnId: standby.spawnId })
    // Promoting is handing its writer to the pipe; a connection gone meanwhile is a lost host.
    if (standby.connection && !standby.connection.promote(this.opts.slot))
      this.lose('channel-gone', 'its standby connection closed before it was promoted')
    standbys.fillAfterPromotion()
  }
}

function describeExit(info: HostExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code ?? '?'}`
}
