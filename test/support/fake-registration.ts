import type { HostAdmission, HostConnection, HostRegistration } from '../../src/main/ipc/host-registration'
import { Emitter } from '../../src/main/base/emitter'

/** A host's `register` as the server announces it, recording what the supervisor decided. */
export class FakeRegistration implements HostRegistration {
  readonly features: readonly string[] = []
  decision: { accepted: HostAdmission } | { refused: string } | undefined
  /** The pool slot `accept` was given (undefined until accepted; a standby's is its default, 0). */
  acceptedSlot: number | undefined
  /** The slots its connection was promoted into, in order. */
  readonly promotedTo: number[] = []
  readonly didClose = new Emitter<string>()
  /** Its connection closed: `promote` then returns false, as the server's does. */
  isClosed = false

  constructor(
    readonly spawnId: string | undefined,
    readonly role: 'standby' | undefined = undefined,
    readonly pid = 4242,
  ) {}

  get isDecided(): boolean {
    return this.decision !== undefined
  }

  accept(as: HostAdmission, slot = 0): HostConnection {
    if (this.decision) throw new Error('decided already')
    this.decision = { accepted: as }
    this.acceptedSlot = slot
    const isClosed = (): boolean => this.isClosed
    return {
      clientId: 1,
      get isClosed() {
        return isClosed()
      },
      promote: (into = 0) => {
        if (isClosed()) return false
        this.promotedTo.push(into)
        return true
      },
      onDidClose: this.didClose.event,
    }
  }

  /** Its connection closes (EOF): `onDidClose` fires. */
  close(reason = 'eof'): void {
    this.isClosed = true
    this.didClose.fire(reason)
  }

  refuse(reason: string): void {
    if (this.decision) throw new Error('decided already')
    this.decision = { refused: reason }
  }
}
