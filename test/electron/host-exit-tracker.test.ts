import { describe, expect, it } from 'vitest'
import {
  CLEAN_EXIT_GRACE_MS,
  HOST_SERVICE_NAME,
  HostExitTracker,
  TOMBSTONE_MS,
} from '../../src/main/electron/host-exit-tracker'
import type { HostExitInfo } from '../../src/main/launcher/host-spawner'
import { ManualClock } from '../support/manual-clock'

const gone = (reason: string, exitCode = 0, name: string = HOST_SERVICE_NAME) => ({
  type: 'Utility',
  reason,
  exitCode,
  serviceName: 'node.mojom.NodeService',
  name,
})

function setup() {
  const clock = new ManualClock()
  const tracker = new HostExitTracker({ clock })
  const track = () => {
    const host = tracker.track()
    const exits: HostExitInfo[] = []
    host.onFinal((info) => exits.push(info))
    return { host, exits }
  }
  return { clock, tracker, track }
}

describe('mapping child-process-gone and exit into one exit notification', () => {
  it('reports a crash from child-process-gone at once, and ignores the exit event after it', () => {
    const { tracker, track } = setup()
    const { host, exits } = track()
    expect(tracker.handleChildProcessGone(gone('crashed', 11))).toBe(true)
    host.noteExitEvent(0)
    host.noteExitEvent(11)
    expect(exits).toEqual([{ code: 11, signal: null, crashed: true }])
    expect(tracker.size).toBe(0)
  })

  it('trusts child-process-gone over an exit event that said 0 for a crash', () => {
    const { clock, tracker, track } = setup()
    const { host, exits } = track()
    host.noteExitEvent(0)
    expect(exits).toEqual([])
    clock.advance(CLEAN_EXIT_GRACE_MS - 1)
    tracker.handleChildProcessGone(gone('crashed', 11))
    expect(exits).toEqual([{ code: 11, signal: null, crashed: true }])
    clock.advance(CLEAN_EXIT_GRACE_MS)
    expect(exits).toHaveLength(1)
    expect(clock.pendingTimers).toBe(0)
  })

  it('calls a clean exit clean once no gone event came within the grace period', () => {
    const { clock, track } = setup()
    const { host, exits } = track()
    host.noteExitEvent(0)
    clock.advance(CLEAN_EXIT_GRACE_MS)
    expect(exits).toEqual([{ code: 0, signal: null, crashed: false }])
  })

  it('reports a non-zero exit at once and absorbs its late gone event', () => {
    const { clock, tracker, track } = setup()
    const first = track()
    first.host.noteExitEvent(9)
    expect(first.exits).toEqual([{ code: 9, signal: null, crashed: true }])
    // The supervisor restarts at once: the late gone event must not be blamed on the new host.
    const second = track()
    expect(tracker.handleChildProcessGone(gone('killed', 9))).toBe(true)
    expect(second.exits).toEqual([])
    expect(first.exits).toHaveLength(1)
    clock.advance(TOMBSTONE_MS)
    expect(clock.pendingTimers).toBe(0)
  })

  it('forgets a tombstone after a while, so a later crash goes to the running host', () => {
    const { clock, tracker, track } = setup()
    const first = track()
    first.host.noteExitEvent(1)
    const second = track()
    clock.advance(TOMBSTONE_MS)
    tracker.handleChildProcessGone(gone('crashed', 11))
    expect(second.exits).toEqual([{ code: 11, signal: null, crashed: true }])
  })

  it('names the signal we sent when the host was killed', () => {
    const { tracker, track } = setup()
    const { host, exits } = track()
    host.noteKill('SIGKILL')
    tracker.handleChildProcessGone(gone('killed', 9))
    expect(exits).toEqual([{ code: null, signal: 'SIGKILL', crashed: true }])
  })

  it('blames the host we asked to die before an older running one', () => {
    const { tracker, track } = setup()
    const older = track()
    const killed = track()
    killed.host.noteKill('SIGKILL')
    tracker.handleChildProcessGone(gone('killed', 9))
    expect(killed.exits).toHaveLength(1)
    expect(older.exits).toEqual([])
  })

  it('ignores gone events of other processes', () => {
    const { tracker, track } = setup()
    const { exits } = track()
    expect(tracker.handleChildProcessGone({ ...gone('crashed'), type: 'GPU' })).toBe(false)
    expect(tracker.handleChildProcessGone(gone('crashed', 1, 'Audio Service'))).toBe(false)
    expect(exits).toEqual([])
  })

  it('matches a gone event by serviceName too, for Electron versions that report it there', () => {
    const { tracker, track } = setup()
    const { exits } = track()
    expect(
      tracker.handleChildProcessGone({
        type: 'Utility',
        reason: 'oom',
        exitCode: 1,
        serviceName: HOST_SERVICE_NAME,
      }),
    ).toBe(true)
    expect(exits).toEqual([{ code: 1, signal: null, crashed: true }])
  })

  it('notifies a listener added after the exit at once', () => {
    const { tracker, track } = setup()
    const { host } = track()
    tracker.handleChildProcessGone(gone('crashed', 3))
    const late: HostExitInfo[] = []
    host.onFinal((info) => late.push(info))
    expect(late).toEqual([{ code: 3, signal: null, crashed: true }])
    expect(host.hasExited).toBe(true)
  })

  it('leaves no timer behind after dispose', () => {
    const { clock, tracker, track } = setup()
    track().host.noteExitEvent(0)
    track().host.noteExitEvent(1)
    expect(clock.pendingTimers).toBe(2)
    tracker.dispose()
    expect(clock.pendingTimers).toBe(0)
    expect(tracker.size).toBe(0)
  })
})
