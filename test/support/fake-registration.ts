import type { HostAdmission, HostConnection, HostRegistration } from '../../src/main/ipc/host-registration'
import { Emitter } from '../../src/main/base/emitter'

/** A host's `register` as the server announces it, recording what the supervisor decided. */
export class FakeRegistration implements HostRegistration {
  readonly features: readonly string[] = []
  decision: { accepted: HostAdmission } | { refused: string } | undefined
  readonly didClose = new Emitter<string>()

  constructor(
    readonly spawnId: string | undefined,
    readonly role: 'standby' | undefined = undefined,
    readonly pid = 4242,
  ) {}

  get isDecided(): boolean {
    return this.decision !== undefined
  }

  accept(as: HostAdmission): HostConnection {
    if (this.decision) throw new Error('decided already')
    this.decision = { accepted: as }
    return { clientId: 1, isClosed: false, promote: () => true, onDidClose: this.didClose.event }
  }

  refuse(reason: string): void {
    if (this.decision) throw new Error('decided already')
    this.decision = { refused: reason }
  }
}
