import { HostPipe, type HostPipeOptions } from '../../src/main/host-pipe'
import { createDiagnosticsActions, killHostInSlot } from '../../src/main/launcher/diagnostics-actions'
import { DiagnosticsFeed, type DiagnosticsFeedOptions } from '../../src/main/launcher/diagnostics-feed'
import { HostSupervisor, type HostSupervisorOptions } from '../../src/main/launcher/host-supervisor'
import { LauncherEvents } from '../../src/main/launcher/launcher-events'
import { SagaCoordinator, type SagaCoordinatorOptions } from '../../src/main/launcher/saga-coordinator'
import type { Event } from '../../src/shared/protocol'
import { FakeSpawner } from './launcher-fakes'
import { ManualClock } from './manual-clock'
import { MemoryWriter, settle } from './memory-writer'

/** The rig's wall clock: a fixed epoch plus the manual clock. */
export const RIG_WALL_EPOCH = 1_700_000_000_000

/** A HostPipe and a SagaCoordinator sharing one event bus and one manual clock. */
export function makeSagaRig(
  opts: { pipe?: Partial<HostPipeOptions>; coordinator?: Partial<SagaCoordinatorOptions> } = {},
) {
  const clock = new ManualClock()
  const bus = new LauncherEvents()
  const events: Event[] = []
  bus.onDidEmit((e) => events.push(e))
  // As the launcher builds it: the coordinator alone publishes saga outcomes.
  const pipe = new HostPipe({ clock, maxQueued: 10_000, ...opts.pipe })
  const coordinator = new SagaCoordinator({
    pipe,
    events: bus,
    clock,
    wallNow: () => RIG_WALL_EPOCH + clock.now(),
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

export const RIG_SOCKET_PATH = '/run/hp/pipe.sock'

/**
 * The launcher's building blocks wired as launcher.ts wires them (one bus, one clock), with a
 * fake spawner and in-memory writers at the edges: supervisor, saga coordinator, diagnostics feed.
 */
export function makeLauncherRig(
  opts: { supervisor?: Partial<HostSupervisorOptions>; feed?: Partial<DiagnosticsFeedOptions> } = {},
) {
  const rig = makeSagaRig()
  const spawner = new FakeSpawner()
  const supervisor = new HostSupervisor({
    spawn: () =>
      spawner.spawn({ transport: 'pipe', token: 'rig-token', socketPath: RIG_SOCKET_PATH, args: [] }),
    clock: rig.clock,
    // As the launcher does: closing the host's connection is what clears the writer.
    closeHostConnection: () => rig.pipe.clearWriter(),
    backoffOptions: { random: () => 0 },
    ...opts.supervisor,
  })
  const feed = new DiagnosticsFeed({
    pipe: rig.pipe,
    supervisor,
    sagas: rig.coordinator,
    events: rig.bus,
    transport: 'pipe',
    socketPath: RIG_SOCKET_PATH,
    clock: rig.clock,
    wallNow: () => RIG_WALL_EPOCH + rig.clock.now(),
    act: createDiagnosticsActions({
      killHost: (slot) => killHostInSlot(supervisor, slot),
      supervisor,
      coordinator: rig.coordinator,
    }),
    ...opts.feed,
  })
  const messages = (): string[] => feed.snapshot().events.map((e) => `${e.level} ${e.message}`)
  return { ...rig, spawner, supervisor, feed, messages }
}
