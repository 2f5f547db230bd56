import { HostPipe, type HostPipeOptions } from '../../src/main/host-pipe'
import type { Event } from '../../src/shared/protocol'
import { ManualClock } from './manual-clock'

/** A HostPipe on a manual clock, with every emitted event recorded. */
export function makePipe(opts: Partial<HostPipeOptions> = {}): {
  pipe: HostPipe
  clock: ManualClock
  events: Event[]
  sagaFailures: () => Array<{ saga_id: number; reason: string }>
} {
  const clock = new ManualClock()
  const events: Event[] = []
  let version = 0
  const pipe = new HostPipe({
    emit: (e) => events.push(e),
    nextVersion: () => ++version,
    clock,
    ...opts,
  })
  const sagaFailures = () =>
    events.flatMap((e) => (e.event === 'saga_failed' ? [{ saga_id: e.saga_id, reason: e.reason }] : []))
  return { pipe, clock, events, sagaFailures }
}
