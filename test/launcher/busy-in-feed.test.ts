import { describe, expect, it } from 'vitest'
import { Emitter } from '../../src/main/base/emitter'
import { makeLauncherRig } from '../support/launcher-harness'

/** What the feed reads of a LivenessMonitor: whether the host is busy, and each change. */
class FakeLiveness {
  private readonly didChangeBusy = new Emitter<boolean>()
  readonly onDidChangeBusy = this.didChangeBusy.event
  isBusy = false

  setBusy(isBusy: boolean): void {
    this.isBusy = isBusy
    this.didChangeBusy.fire(isBusy)
  }
}

async function makeBusyRig() {
  const liveness = new FakeLiveness()
  const rig = makeLauncherRig({ feed: { liveness } })
  rig.supervisor.startHost()
  await rig.connect()
  rig.supervisor.markRunning()
  return { ...rig, liveness }
}

describe('busy in the diagnostics feed', () => {
  it("reads busy in the host's row while its main thread is blocked, the top-level state staying connected", async () => {
    const rig = await makeBusyRig()
    const pid = rig.spawner.last.pid
    expect(rig.feed.snapshot().hosts).toEqual([
      { slot: 0, pid, state: 'connected', inFlight: 0, restarts: 0 },
    ])
    rig.liveness.setBusy(true)
    expect(rig.feed.snapshot()).toMatchObject({
      state: 'connected',
      hostPid: pid,
      hosts: [{ slot: 0, pid, state: 'busy', inFlight: 0, restarts: 0 }],
    })
    rig.liveness.setBusy(false)
    expect(rig.feed.snapshot().hosts[0]!.state).toBe('connected')
  })

  it('says in the event log when the host turns busy and when it turns again', async () => {
    const rig = await makeBusyRig()
    const pid = rig.spawner.last.pid
    rig.liveness.setBusy(true)
    rig.liveness.setBusy(false)
    const messages = rig.feed.snapshot().events.map((e) => e.message)
    expect(messages).toContain(
      `host pid ${pid} busy: its main thread is blocked, its liveness worker answers`,
    )
    expect(messages.at(-1)).toBe(`host pid ${pid} no longer busy`)
  })

  it('reads the pipe state, not busy, once the busy host is gone', async () => {
    const rig = await makeBusyRig()
    rig.liveness.setBusy(true)
    rig.feed.markUnresponsive('host pid 4000 unresponsive for 5000 ms; killing it')
    rig.supervisor.loseHost('unresponsive', 'silent')
    rig.pipe.clearWriter()
    expect(rig.feed.snapshot().hosts[0]!.state).toBe('unresponsive')
    rig.liveness.setBusy(false)
    expect(rig.feed.snapshot().events.some((e) => e.message.includes('no longer busy'))).toBe(false)
  })

  it('never reads busy without a liveness source', async () => {
    const rig = makeLauncherRig()
    rig.supervisor.startHost()
    await rig.connect()
    rig.supervisor.markRunning()
    expect(rig.feed.snapshot().hosts.map((h) => h.state)).toEqual(['connected'])
  })
})
