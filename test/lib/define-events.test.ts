import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineEvents } from '../../src/lib/index'

describe('defineEvents', () => {
  it('returns the payload schemas frozen, by event name', () => {
    const events = defineEvents({ 'file.changed': z.object({ path: z.string() }), tick: z.number() })
    expect(Object.isFrozen(events)).toBe(true)
    expect(events.tick.parse(1)).toBe(1)
    expect(Object.keys(events)).toEqual(['file.changed', 'tick'])
  })

  it('refuses a name that is not a plain identifier, naming it', () => {
    expect(() => defineEvents({ '': z.number() })).toThrow('event ``: a name must match')
    expect(() => defineEvents({ 'has space': z.number() })).toThrow('event `has space`: a name must match')
    expect(() => defineEvents({ '9lives': z.number() })).toThrow('event `9lives`: a name must match')
  })

  it('refuses a payload that is not a zod schema, naming the event', () => {
    expect(() => defineEvents({ tick: { parse: () => 1 } as never })).toThrow(
      'event `tick`: the payload must be a zod schema',
    )
    expect(() => defineEvents({ tick: undefined as never })).toThrow(
      'event `tick`: the payload must be a zod schema',
    )
  })

  it('refuses something that is not an object of schemas', () => {
    expect(() => defineEvents(null as never)).toThrow('defineEvents takes an object of payload schemas')
    expect(() => defineEvents([] as never)).toThrow('defineEvents takes an object of payload schemas')
  })
})
