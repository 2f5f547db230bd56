import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import { HostExitTracker } from '../../src/main/electron/host-exit-tracker'
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
      return new UtilityHostProcess(child, tracker.track(), undefined, log, killPid)
    },
  }
  return { tracker, children, killPid, spawner }
}

describe('Electron: a hung host is killed and replaced (ARCHITECTURE §8)', () => {
  it('SIGKILLs the utility process by pid (kill() only sends SIGTERM, which a stopped process never acts on), then restarts it once child-process-gone says it died', () => {
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
    const hung = children[0]!
    expect(supervisor.loseHost('unresponsive', 'no frame for 5000 ms')).toBe(true)
    expect(killPid).toHaveBeenCalledWith(hung.pid, 'SIGKILL')
    expect(hung.kill).not.toHaveBeenCalled()
    expect(supervisor.hostPid).toBe(hung.pid)

    tracker.handleChildProcessGone({ type: 'Utility', reason: 'killed', exitCode: 9, name: 'hostpipe-host' })
    expect(supervisor.state).toBe('backoff')
    clock.advance(5_000)
    expect(children).toHaveLength(2)
    expect(supervisor.hostPid).toBe(children[1]!.pid)
    expect(supervisor.restarts).toBe(1)
  })
})
