import { HostPipe, type HostPipeOptions } from '../../src/main/host-pipe'
import { LauncherEvents } from '../../src/main/launcher/launcher-events'
import { SagaCoordinator, type SagaCoordinatorOptions } from '../../src/main/launcher/saga-coordinator'
import type { Event } from '../../src/shared/protocol'
import { ManualClock } from './manual-clock'
import { MemoryWriter, settle } from './memory-writer'

/** A HostPipe and a SagaCoordinator sharing one event bus and one manual clock. */
export function makeSagaRig(
  opts: { pipe?: Partial<HostPipeOptions>; coordinator?: Partial<SagaCoordinatorOptions> } = {},
) {
  const clock = new ManualClock()
  const bus = new LauncherEvents()
  const events: Event[] = []
  bus.subscribe((e) => events.push(e))
  const pipe = new HostPipe({ emit: bus.emit, nextVersion: bus.nextVersion, clock, ...opts.pipe })
  const coordinator = new SagaCoordinator({
    pipe,
    events: bus,
    clock,
    maxInFlight: opts.pipe?.maxInFlight,
    ...opts.coordinator,
  })
  let writer = new MemoryWriter()

  /** A host registers (with acks by default); resolves once the drain settled. */
  async function connect(o: { acks?: boolean } = { acks: true }): Promise<MemoryWriter> {
    writer = new MemoryWriter()
    await pipe.setWriter(writer, o)
    await settle()
    return writer
  }

  /** Acks everything the current host was sent (a cumulative ack of the last seq). */
  async function ackAll(): Promise<void> {
    const last = writer.parsed().at(-1)
    if (last) pipe.ack(last.seq as number)
    await settle()
  }

  /** Saga ids of the commands the current host received, in order. */
  const written = (): number[] => writer.parsed().map((f) => f.saga_id as number)

  const terminalsOf = (sagaId: number): Event[] =>
    events.filter((e) => (e.event === 'saga_completed' || e.event === 'saga_failed') && e.saga_id === sagaId)
  const failures = (): Array<{ saga_id: number; reason: string }> =>
    events.flatMap((e) => (e.event === 'saga_failed' ? [{ saga_id: e.saga_id, reason: e.reason }] : []))

  return { clock, bus, events, pipe, coordinator, connect, ackAll, written, terminalsOf, failures }
}
