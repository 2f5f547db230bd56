import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineEvents } from '../../src/shared/define-events'
import type { Logger } from '../../src/main/base/logger'
import { EventBus } from '../../src/main/launcher/event-bus'

const events = defineEvents({ tick: z.number(), 'file.changed': z.object({ path: z.string() }) })
const from = { hostPid: 42, slot: 0 }

function makeBus() {
  const logged: string[] = []
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m: string) => logged.push(m),
    error: (m: string) => logged.push(m),
  }
  let dropped = 0
  const bus = new EventBus(events, log)
  const deliver = (name: string, payload: unknown): void =>
    bus.deliver({ name, payload, origin: from }, () => dropped++)
  return { bus, deliver, logged, dropped: () => dropped }
}

describe('EventBus', () => {
  it('hands each event to the listeners of its name, in order, with the host it came from', () => {
    const { bus, deliver } = makeBus()
    const got: Array<[number, unknown]> = []
    bus.on('tick', (n, origin) => got.push([n, origin]))
    deliver('tick', 1)
    deliver('file.changed', { path: '/a' })
    deliver('tick', 2)
    expect(got).toEqual([
      [1, from],
      [2, from],
    ])
  })

  it('drops and counts an event of an unknown name or with a bad payload, logging once per name', () => {
    const { bus, deliver, logged, dropped } = makeBus()
    const got: unknown[] = []
    bus.on('tick', (n) => got.push(n))
    deliver('nope', 1)
    deliver('nope', 2)
    deliver('tick', 'one')
    expect(got).toEqual([])
    expect(dropped()).toBe(3)
    expect(logged).toHaveLength(2)
  })

  it('stops calling a listener once unsubscribed, and keeps the others', () => {
    const { bus, deliver } = makeBus()
    const a: number[] = []
    const b: number[] = []
    const offA = bus.on('tick', (n) => a.push(n))
    bus.on('tick', (n) => b.push(n))
    deliver('tick', 1)
    offA()
    deliver('tick', 2)
    expect(a).toEqual([1])
    expect(b).toEqual([1, 2])
  })

  it('logs a listener that throws and still calls the next one', () => {
    const { bus, deliver, logged } = makeBus()
    const got: number[] = []
    bus.on('tick', () => {
      throw new Error('boom')
    })
    bus.on('tick', (n) => got.push(n))
    deliver('tick', 5)
    expect(got).toEqual([5])
    expect(logged[0]).toContain('boom')
  })

  it('refuses to subscribe to a name that is not defined, naming the defined ones', () => {
    const { bus } = makeBus()
    expect(() => bus.on('nope' as 'tick', () => undefined)).toThrow(/`nope`.*tick, file\.changed/)
  })
})
