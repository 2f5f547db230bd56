import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import { HostExitTracker, hostServiceName } from '../../src/main/electron/host-exit-tracker'
import { UtilityHostProcess } from '../../src/main/electron/utility-host-process'
import type { HostProcess, HostSpawner } from '../../src/main/launcher/host-spawner'
import { HostSupervisor } from '../../src/main/launcher/host-supervisor'
import { ManualClock } from '../support/manual-clock'

/** Electron's UtilityProcess, as far as a host uses it. */
class FakeUtilityProcess extends EventEmitter {
  stdout = new PassThrough()
  stderr = new PassThrough()
  kill = vi.fn(() => true)
  constructor(public pid: number | undefined) {
    super()
  }
}

/** Hosts as ElectronHostSpawner builds them (UtilityHostProcess over a tracked utility process). */
function electronLikeSpawner(clock: ManualClock) {
  const tracker = new HostExitTracker({ clock })
  const children: FakeUtilityProcess[] = []
  const killPid = vi.fn()
  const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }
  const spawner: HostSpawner = {
    spawn(): HostProcess {
      const child = new FakeUtilityProcess(7000 + children.length)
      children.push(child)
      // As ElectronHostSpawner: one serviceName per host.
      const name = hostServiceName(children.length)
      return new UtilityHostProcess(child, tracker.track(name), undefined, log, { killPid })
    },
  }
  return { tracker, children, killPid, spawner }
}

describe('Electron: a hung host is killed and replaced (ARCHITECTURE §8)', () => {
  it('SIGKILLs the utility process by pid (kill() only sends SIGTERM, which a stopped process never acts on) and replaces it at once; child-process-gone then retires it', () => {
    const clock = new ManualClock()
    const { tracker, children, killPid, spawner } = electronLikeSpawner(clock)
    const supervisor = new HostSupervisor({
      spawn: (spawnId) =>
        spawner.spawn({ transport: 'port', token: 't', socketPath: null, spawnId, args: [] }),
      clock,
      backoffOptions: { random: () => 0 },
    })
    supervisor.startHost()
    supervisor.markRunning()
    clock.advance(1_000) // serving, not a start failure
    const hung = children[0]!
    expect(supervisor.loseHost('unresponsive', 'no frame for 5000 ms')).toBe(true)
    expect(killPid).toHaveBeenCalledWith(hung.pid, 'SIGKILL')
    expect(hung.kill).not.toHaveBeenCalled()
    expect(children).toHaveLength(2)
    expect(supervisor.hostPid).toBe(children[1]!.pid)
    expect(supervisor.restarts).toBe(1)

    tracker.handleChildProcessGone({
      type: 'Utility',
      reason: 'killed',
      exitCode: 9,
      name: 'hostpipe-host-0-1',
    })
    expect(tracker.size).toBe(1)
    expect(supervisor.state).toBe('starting')
    expect(supervisor.hostPid).toBe(children[1]!.pid)
  })

  it('with a standby, a gone event names its own host: a dead standby is replaced, the active one untouched', () => {
    const clock = new ManualClock()
    const { tracker, children, spawner } = electronLikeSpawner(clock)
    const supervisor = new HostSupervisor({
      spawn: (spawnId, role) =>
        spawner.spawn({ transport: 'port', token: 't', socketPath: null, spawnId, role, args: [] }),
      standby: 1,
      clock,
      backoffOptions: { random: () => 0 },
    })
    supervisor.startHost()
    supervisor.markRunning()
    expect(children).toHaveLength(2)
    supervisor.markStandbyReady('2')
    clock.advance(1_000)
    // The standby (hostpipe-host-0-2) dies; the older active host (hostpipe-host-0-1) must not be blamed.
    tracker.handleChildProcessGone({
      type: 'Utility',
      reason: 'crashed',
      exitCode: 11,
      name: 'hostpipe-host-0-2',
    })
    expect(supervisor.state).toBe('running')
    expect(supervisor.hostPid).toBe(children[0]!.pid)
    expect(supervisor.readyStandbys).toBe(0)
    expect(children).toHaveLength(3) // a replacement standby, at once (it had served 1 s)
    supervisor.markStandbyReady('3')
    clock.advance(1_000)
    // Now the active host dies: the standby is promoted at once.
    tracker.handleChildProcessGone({
      type: 'Utility',
      reason: 'killed',
      exitCode: 9,
      name: 'hostpipe-host-0-1',
    })
    expect(supervisor.hostPid).toBe(children[2]!.pid)
    expect(supervisor.failovers).toBe(1)
    expect(supervisor.state).toBe('running')
  })
})
