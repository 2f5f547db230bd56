import type { Event } from '../../src/shared/protocol'
import { IntColumn } from './int-column'

export const OUTCOME_COMPLETED = 1
export const OUTCOME_FAILED = 2

/**
 * Every saga's story as the launcher told it on its event bus: started, and how many terminal
 * events (`saga_completed` / `saga_failed`) it got, of which kind, for which reason.
 */
export class SagaLedger {
  readonly started = new IntColumn()
  readonly terminals = new IntColumn()
  /** OUTCOME_COMPLETED or OUTCOME_FAILED, from the first terminal. */
  readonly outcome = new IntColumn()
  /** Index into `reasons` + 1 for failed sagas. */
  readonly failureReason = new IntColumn()
  readonly reasons: string[] = []
  readonly failuresByReason = new Map<string, number>()
  startedCount = 0
  completedCount = 0
  failedCount = 0

  /** Feed it every launcher event. */
  readonly onEvent = (e: Event): void => {
    switch (e.event) {
      case 'saga_started':
        this.started.add(e.saga_id)
        this.startedCount++
        return
      case 'saga_completed':
        return this.terminal(e.saga_id, OUTCOME_COMPLETED)
      case 'saga_failed':
        return this.terminal(e.saga_id, OUTCOME_FAILED, e.reason)
    }
  }

  isEnded(sagaId: number): boolean {
    return this.terminals.get(sagaId) > 0
  }

  reasonOf(sagaId: number): string | undefined {
    const i = this.failureReason.get(sagaId)
    return i === 0 ? undefined : this.reasons[i - 1]
  }

  /** Sagas started without exactly one terminal, and sagas with a terminal but no start. */
  violations(limit = 20): string[] {
    const out: string[] = []
    const last = Math.max(this.started.maxIndex, this.terminals.maxIndex)
    for (let id = 1; id <= last && out.length < limit; id++) {
      const started = this.started.get(id)
      const ended = this.terminals.get(id)
      if (started > 1) out.push(`saga ${id} started ${started} times`)
      else if (started === 1 && ended !== 1) out.push(`saga ${id} has ${ended} terminal events`)
      else if (started === 0 && ended > 0) out.push(`saga ${id} ended (${ended}×) but never started`)
    }
    return out
  }

  private terminal(sagaId: number, outcome: number, reason?: string): void {
    if (this.terminals.add(sagaId) > 1) return
    this.outcome.set(sagaId, outcome)
    if (outcome === OUTCOME_COMPLETED) {
      this.completedCount++
      return
    }
    this.failedCount++
    const why = reason ?? '?'
    let i = this.reasons.indexOf(why)
    if (i === -1) i = this.reasons.push(why) - 1
    this.failureReason.set(sagaId, i + 1)
    this.failuresByReason.set(why, (this.failuresByReason.get(why) ?? 0) + 1)
  }
}
