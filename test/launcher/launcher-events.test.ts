import { describe, expect, it } from 'vitest'
import { HostPipe } from '../../src/main/host-pipe'
import { LauncherEvents } from '../../src/main/launcher/launcher-events'
import { SagaCoordinator } from '../../src/main/launcher/saga-coordinator'
import type { Event } from '../../src/shared/protocol'
import { ManualClock } from '../support/manual-clock'
import { InstantMemoryWriter } from '../support/memory-writer'

describe('LauncherEvents', () => {
  it('is observed while a listener from outside the launcher, or its forwarding, wants events', () => {
    const bus = new LauncherEvents()
    const own: Event[] = []
    bus.onDidEmitToLauncher((e) => own.push(e))
    expect(bus.isObserved).toBe(false)
    const app = bus.onDidEmit(() => {})
    expect(bus.isObserved).toBe(true)
    app.dispose()
    expect(bus.isObserved).toBe(false)
    let forwarding = true
    bus.forwardWhen(() => forwarding)
    expect(bus.isObserved).toBe(true)
    forwarding = false
    expect(bus.isObserved).toBe(false)
    bus.emit({ event: 'saga_completed', saga_id: 1, version: bus.nextVersion() })
    expect(own).toEqual([{ event: 'saga_completed', saga_id: 1, version: 1 }])
  })

  it('gives the launcher’s own parts each event before the app’s listeners', () => {
    const bus = new LauncherEvents()
    const order: string[] = []
    bus.onDidEmit(() => order.push('app'))
    bus.onDidEmitToLauncher(() => order.push('launcher'))
    bus.emit({ event: 'saga_completed', saga_id: 1, version: bus.nextVersion() })
    expect(order).toEqual(['launcher', 'app'])
  })
})

describe('a call’s saga_started and saga_completed', () => {
  async function runOneCall(bus: LauncherEvents): Promise<void> {
    const clock = new ManualClock()
    const pipe = new HostPipe({ clock })
    const coordinator = new SagaCoordinator({ pipe, events: bus, clock })
    await pipe.setWriter(new InstantMemoryWriter(), { acks: true, perCall: true })
    const sagaId = coordinator.startSaga({ cmd: 'custom', name: 'add', input: { a: 1, b: 2 } })
    expect(coordinator.handleReport({ cmd: 'report_result', saga_id: sagaId, output: { sum: 3 } })).toBe(true)
    coordinator.dispose()
    pipe.dispose()
  }

  it('reach an app listener, with versions in order', async () => {
    const bus = new LauncherEvents()
    const seen: Event[] = []
    bus.onDidEmit((e) => seen.push(e))
    await runOneCall(bus)
    expect(seen).toEqual([
      { event: 'saga_started', saga_id: 1, name: 'add', version: 1 },
      { event: 'saga_completed', saga_id: 1, version: 2 },
    ])
  })

  it('reach the server while it forwards events', async () => {
    const bus = new LauncherEvents()
    const forwarded: Event[] = []
    bus.onDidEmitToLauncher((e) => forwarded.push(e))
    bus.forwardWhen(() => true)
    await runOneCall(bus)
    expect(forwarded.map((e) => e.event)).toEqual(['saga_started', 'saga_completed'])
  })

  it('are not made while nobody outside the launcher would receive them', async () => {
    const bus = new LauncherEvents()
    const own: Event[] = []
    bus.onDidEmitToLauncher((e) => own.push(e))
    await runOneCall(bus)
    expect(own).toEqual([])
    expect(bus.currentVersion).toBe(0)
  })
})
