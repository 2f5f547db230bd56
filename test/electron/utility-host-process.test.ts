import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import { HostExitTracker } from '../../src/main/electron/host-exit-tracker'
import type { HostExitInfo } from '../../src/main/launcher/host-spawner'
import { UtilityHostProcess } from '../../src/main/electron/utility-host-process'
import type { FrameConnection } from '../../src/main/ipc/frame-connection'
import { STDERR_END_WAIT_MS, TAIL_LINES } from '../../src/main/base/line-tail'
import { ManualClock } from '../support/manual-clock'

class FakeChild extends EventEmitter {
  pid: number | undefined = undefined
  stdout = new PassThrough()
  stderr = new PassThrough()
  kill = vi.fn(() => true)
}

const logger = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() })

function setup(connection?: FrameConnection) {
  const clock = new ManualClock()
  const tracker = new HostExitTracker({ clock })
  const child = new FakeChild()
  const log = logger()
  const killPid = vi.fn()
  const host = new UtilityHostProcess(child, tracker.track(), connection, log, { killPid })
  const exits: HostExitInfo[] = []
  host.onExit((info) => exits.push(info))
  return { clock, tracker, child, log, killPid, host, exits }
}

describe('a host under utilityProcess', () => {
  it('reports its pid once spawned, and keeps it after Electron clears it on exit', () => {
    const { child, host } = setup()
    expect(host.pid).toBeUndefined()
    child.pid = 321
    child.emit('spawn')
    expect(host.pid).toBe(321)
    child.pid = undefined
    expect(host.pid).toBe(321)
  })

  it('sends SIGKILL by pid, since UtilityProcess.kill() only terminates gracefully', () => {
    const { child, host, killPid } = setup()
    child.pid = 55
    expect(host.kill('SIGKILL')).toBe(true)
    expect(killPid).toHaveBeenCalledWith(55, 'SIGKILL')
    expect(child.kill).not.toHaveBeenCalled()
  })

  it('falls back to kill() when signalling the pid fails', () => {
    const { child, host, killPid } = setup()
    child.pid = 55
    killPid.mockImplementation(() => {
      throw new Error('ESRCH')
    })
    expect(host.kill('SIGKILL')).toBe(true)
    expect(child.kill).toHaveBeenCalledOnce()
  })

  it('terminates with kill() for SIGTERM', () => {
    const { child, host, killPid } = setup()
    child.pid = 55
    host.kill()
    expect(child.kill).toHaveBeenCalledOnce()
    expect(killPid).not.toHaveBeenCalled()
  })

  it('reports its exit once, from the tracker, however many exit events come', () => {
    const { child, host, exits } = setup()
    child.emit('exit', 1)
    child.emit('exit', 1)
    expect(exits).toEqual([{ code: 1, signal: null, crashed: true }])
    expect(host.kill()).toBe(false)
  })

  it('names the signal it sent when the exit comes from a kill', () => {
    const { child, host, tracker, exits } = setup()
    child.pid = 9
    host.kill('SIGKILL')
    tracker.handleChildProcessGone({ type: 'Utility', reason: 'killed', exitCode: 9, name: 'hostpipe-host' })
    expect(exits).toEqual([{ code: null, signal: 'SIGKILL', crashed: true }])
  })

  it('closes its port connection when it exits, so nothing is posted to a gone host', () => {
    const connection = { close: vi.fn() } as unknown as FrameConnection
    const { child } = setup(connection)
    expect(connection.close).not.toHaveBeenCalled()
    child.emit('exit', 2)
    expect(connection.close).toHaveBeenCalledOnce()
  })

  it('pipes stdout to info and stderr to warn, prefixed with the pid', async () => {
    const { child, log } = setup()
    child.pid = 77
    child.stdout.write('ready\n')
    child.stderr.write('uh oh\n')
    await new Promise((r) => setImmediate(r))
    expect(log.info).toHaveBeenCalledWith('[host 77] ready')
    expect(log.warn).toHaveBeenCalledWith('[host 77] uh oh')
  })

  it('logs a crash as a warning and a clean exit as info', () => {
    const crashed = setup()
    crashed.child.emit('exit', 3)
    expect(crashed.log.warn).toHaveBeenCalledWith(expect.stringContaining('crashed'))
    const clean = setup()
    clean.child.emit('exit', 0)
    clean.clock.advance(1_000)
    expect(clean.exits).toEqual([{ code: 0, signal: null, crashed: false }])
    expect(clean.log.info).toHaveBeenCalledWith(expect.stringContaining('exited (code 0)'))
  })

  it('keeps a bounded tail of its stderr, read once stderr has ended', async () => {
    const { child, host } = setup()
    for (let i = 1; i <= 30; i++) child.stderr.write(`line ${i}\n`)
    child.stderr.end('unterminated last line')
    const tail = await host.stderrTail()
    expect(tail).toHaveLength(TAIL_LINES)
    expect(tail[0]).toBe('line 12')
    expect(tail.at(-1)).toBe('unterminated last line')
  })

  it('reads its stderr tail shortly after its exit when stderr never ends', async () => {
    vi.useFakeTimers()
    try {
      const { child, host } = setup()
      child.stderr.write('fatal: out of memory\n')
      await vi.advanceTimersByTimeAsync(0)
      const tail = host.stderrTail()
      child.emit('exit', 134)
      await vi.advanceTimersByTimeAsync(STDERR_END_WAIT_MS)
      await expect(tail).resolves.toEqual(['fatal: out of memory'])
    } finally {
      vi.useRealTimers()
    }
  })

  it('has an empty stderr tail when its output is not piped', async () => {
    const clock = new ManualClock()
    const child = Object.assign(new FakeChild(), { stderr: null, stdout: null })
    const host = new UtilityHostProcess(child, new HostExitTracker({ clock }).track(), undefined, logger())
    await expect(host.stderrTail()).resolves.toEqual([])
  })
})
