import { describe, expect, it, vi } from 'vitest'
import { Emitter } from '../../src/main/base/emitter'
import type { Disposable } from '../../src/main/base/disposable'
import { describeHostExit, HostExits } from '../../src/main/launcher/host-exits'
import type { HostExitInfo, HostProcess } from '../../src/main/launcher/host-spawner'
import type { SupervisorEvent } from '../../src/main/launcher/supervisor-event'

function fakeHost(): HostProcess & { exit(info: HostExitInfo): void } {
  const exited = new Emitter<HostExitInfo>()
  return {
    pid: 7,
    connection: undefined,
    kill: () => true,
    onExit: (fn): Disposable => exited.event(fn),
    exit: (info) => exited.fire(info),
  }
}

function setup() {
  const events = new Emitter<SupervisorEvent>()
  const told: unknown[] = []
  const exits = new HostExits(events.event, (how) => told.push(how))
  return { events, told, exits }
}

describe('how a lost host ended', () => {
  it('names a signal, or a non-zero exit code, and nothing for a clean exit', () => {
    expect(describeHostExit({ code: null, signal: 'SIGKILL' })).toBe('killed by SIGKILL')
    expect(describeHostExit({ code: 3, signal: null })).toBe('exit code 3')
    expect(describeHostExit({ code: 0, signal: null })).toBeUndefined()
  })

  it('is known at once once the exit was seen', () => {
    const { exits } = setup()
    const host = fakeHost()
    exits.track('1', host)
    host.exit({ code: null, signal: 'SIGSEGV', crashed: true })
    expect(exits.exitDetail('1')).toBe('killed by SIGSEGV')
  })

  it('waits for an exit not seen yet, and settles with it', async () => {
    const { exits } = setup()
    const host = fakeHost()
    exits.track('1', host)
    const detail = exits.exitDetail('1')
    expect(detail).toBeInstanceOf(Promise)
    host.exit({ code: null, signal: 'SIGKILL', crashed: true })
    await expect(detail).resolves.toBe('killed by SIGKILL')
  })

  it('gives up waiting after the bound, with nothing to add', async () => {
    vi.useFakeTimers()
    try {
      const { exits } = setup()
      exits.track('1', fakeHost())
      const detail = exits.exitDetail('1', 100)
      await vi.advanceTimersByTimeAsync(100)
      await expect(detail).resolves.toBeUndefined()
    } finally {
      vi.useRealTimers()
    }
  })

  it('adds nothing for a host it did not spawn or one the launcher killed itself', () => {
    const { exits, events } = setup()
    exits.track('1', fakeHost())
    events.fire({ type: 'lost', pid: 7, spawnId: '1', reason: 'unresponsive', detail: 'silent' })
    expect(exits.exitDetail('1')).toBeUndefined()
    expect(exits.exitDetail('2')).toBeUndefined()
  })

  it('tells the owner of an unexpected exit of the active host as it is seen', () => {
    const { events, told } = setup()
    events.fire({
      type: 'exited',
      pid: 7,
      info: { code: null, signal: 'SIGKILL', crashed: true },
      expected: false,
    })
    events.fire({
      type: 'exited',
      pid: 8,
      info: { code: null, signal: 'SIGTERM', crashed: true },
      expected: true,
    })
    expect(told).toEqual(['killed by SIGKILL'])
  })
})
