import type { SagaTotals } from '../../shared/diagnostics'
import type { SagaReport } from '../../shared/protocol'
import type { Logger } from '../base/logger'

// What the saga coordinator tells its observers (the diagnostics feed, per-command statistics): a
// saga as they see it, and the coordinator's counters. Apart from saga-coordinator.ts because a
// call only bumps a counter here.

/** A saga as its observers see it (the coordinator's own record, read-only). */
export interface SagaRecord {
  readonly id: number
  /** The command's name: an app command's, or the AgentMux command's. */
  readonly name: string
  /** When it started, on the coordinator's clock. */
  readonly startedAt: number
  /** Why it failed, once it has; undefined while open or when it completed. */
  readonly failure: string | undefined
  /** When it ended, on the coordinator's clock; undefined while open. */
  readonly endedAt: number | undefined
}

export interface SagaCoordinatorStats extends SagaTotals {
  /** Reports and pipe failures that came after their saga had already ended. */
  lateTerminals: number
  /** Sagas past their timeout, in flight on a deadline-aware host, waiting for its verdict. */
  awaitingHost: number
  /** Reports for no open saga, or of the wrong kind for their saga. */
  ignoredReports: number
}

/** The coordinator's counters; what is open and what awaits a host it knows itself. */
export class SagaCounts {
  started = 0
  completed = 0
  failed = 0
  lateTerminals = 0
  lateReports = 0
  ignoredReports = 0

  totals(inFlight: number): SagaTotals {
    const { started, completed, failed, lateReports } = this
    return { started, completed, failed, inFlight, lateReports }
  }

  /** Counts a report for no open saga (`isLate`: its saga had ended), and logs it. False: ignored. */
  strayReport(report: SagaReport, isLate: boolean, log: Logger): false {
    if (isLate) {
      // The host did work for a saga its caller was already told had ended.
      this.lateReports++
      this.lateTerminals++
      log.debug(`[saga] ${report.cmd} for saga ${report.saga_id} after it ended: ignored`)
    } else {
      this.ignoredReports++
      log.warn(`[saga] ${report.cmd} for saga ${report.saga_id}, which was not started: ignored`)
    }
    return false
  }

  stats(inFlight: number, awaitingHost: number): SagaCoordinatorStats {
    const { lateTerminals, ignoredReports } = this
    return { ...this.totals(inFlight), lateTerminals, awaitingHost, ignoredReports }
  }
}
