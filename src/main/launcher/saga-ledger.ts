import type { Saga } from './saga'

/**
 * Where every open saga stands: waiting in the backlog, issued to HostPipe, or past its timeout
 * and left to a deadline-aware host (ARCHITECTURE §8). Assigns saga ids (1, 2, …) and answers
 * whether an id belongs to a saga that has already ended. Memory is bounded by the open sagas:
 * an ended saga leaves no entry behind.
 */
export class SagaLedger {
  private nextSagaId = 1
  /** Every saga without a terminal event yet. */
  private readonly open = new Map<number, Saga>()
  /** Open sagas handed to HostPipe, in issue order (their timeouts are in the deadline heap). */
  private readonly issued = new Map<number, Saga>()
  /** Sagas past their timeout left to a deadline-aware host, in the order they timed out. */
  private readonly leftToHost = new Map<number, Saga>()
  /**
   * Sagas are issued in id order, so the backlog needs no queue of its own: it is the open sagas
   * from this id on (every saga below it was issued or has ended).
   */
  private nextToIssue = 1

  /** Records a new open saga under the next id and returns it. */
  add(init: Omit<Saga, 'id'>): Saga {
    const saga: Saga = { id: this.nextSagaId++, ...init }
    this.open.set(saga.id, saga)
    return saga
  }

  get openCount(): number {
    return this.open.size
  }

  getOpen(sagaId: number): Saga | undefined {
    return this.open.get(sagaId)
  }

  /** A snapshot of the open sagas, safe to end while iterating. */
  openSagas(): Saga[] {
    return [...this.open.values()]
  }

  /** The open sagas not yet issued. */
  get backlogSize(): number {
    return this.open.size - this.issued.size - this.leftToHost.size
  }

  /** Moves the backlog on by one id: the saga to issue next, or undefined if it already ended. */
  takeNextToIssue(): Saga | undefined {
    return this.open.get(this.nextToIssue++)
  }

  /** Empties the backlog: its sagas, in id order, for the caller to end. */
  takeBacklog(): Saga[] {
    const waiting: Saga[] = []
    for (; this.nextToIssue < this.nextSagaId; this.nextToIssue++) {
      const saga = this.open.get(this.nextToIssue)
      if (saga) waiting.push(saga)
    }
    return waiting
  }

  markIssued(saga: Saga): void {
    this.issued.set(saga.id, saga)
  }

  getIssued(sagaId: number): Saga | undefined {
    return this.issued.get(sagaId)
  }

  isIssued(sagaId: number): boolean {
    return this.issued.has(sagaId)
  }

  get issuedCount(): number {
    return this.issued.size
  }

  /** An issued saga whose timeout passed in flight on a deadline-aware host: its report decides. */
  leaveToHost(saga: Saga): void {
    this.issued.delete(saga.id)
    this.leftToHost.set(saga.id, saga)
  }

  get leftToHostCount(): number {
    return this.leftToHost.size
  }

  /** The sagas left to their host, oldest timeout first. */
  leftToHostSagas(): IterableIterator<Saga> {
    return this.leftToHost.values()
  }

  /** An open saga a host report may end: issued, or left to its host. */
  getAwaitingReport(sagaId: number): Saga | undefined {
    return this.issued.get(sagaId) ?? this.leftToHost.get(sagaId)
  }

  /** Forgets an ended saga. */
  close(saga: Saga): void {
    this.open.delete(saga.id)
    this.issued.delete(saga.id)
    this.leftToHost.delete(saga.id)
  }

  /** For disposal: nothing more is issued or left to a host; the sagas stay open until ended. */
  stopWaiting(): void {
    this.leftToHost.clear()
    this.nextToIssue = this.nextSagaId
  }

  /** Whether `sagaId` was given to a saga that has since ended. */
  isEnded(sagaId: number): boolean {
    return sagaId >= 1 && sagaId < this.nextSagaId && !this.open.has(sagaId)
  }
}
