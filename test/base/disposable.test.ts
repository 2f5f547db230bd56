import { describe, expect, it } from 'vitest'
import { DisposableStore, toDisposable } from '../../src/main/base/disposable'
import { nonNegativeIntOption, positiveIntOption } from '../../src/main/base/integer-option'
import { TimerSlot } from '../../src/main/base/timer-slot'
import { ManualClock } from '../support/manual-clock'

describe('DisposableStore', () => {
  it('disposes what it holds once, newest first, and disposes late additions at once', () => {
    const order: string[] = []
    const store = new DisposableStore()
    store.add(toDisposable(() => order.push('a')))
    store.add(toDisposable(() => order.push('b')))
    store.dispose()
    store.dispose()
    expect(order).toEqual(['b', 'a'])
    store.add(toDisposable(() => order.push('late')))
    expect(order).toEqual(['b', 'a', 'late'])
    expect(store.isDisposed).toBe(true)
  })
})

describe('TimerSlot', () => {
  it('keeps at most one timer, and none after clear or dispose', () => {
    const clock = new ManualClock()
    const slot = new TimerSlot(clock)
    const fired: string[] = []
    slot.set(() => fired.push('first'), 100)
    slot.set(() => fired.push('second'), 200)
    expect(clock.pendingTimers).toBe(1)
    clock.advance(200)
    expect(fired).toEqual(['second'])
    expect(slot.isArmed).toBe(false)
    slot.set(() => fired.push('cleared'), 10)
    slot.clear()
    slot.dispose()
    slot.set(() => fired.push('after dispose'), 10)
    clock.advance(50)
    expect(fired).toEqual(['second'])
    expect(clock.pendingTimers).toBe(0)
  })
})

describe('integer options', () => {
  it('default when undefined and name the option and the value they refuse', () => {
    expect(positiveIntOption('capacity', undefined, 64)).toBe(64)
    expect(positiveIntOption('capacity', 3, 64)).toBe(3)
    expect(() => positiveIntOption('capacity', 0, 64)).toThrow('capacity must be a positive integer, got 0')
    expect(() => positiveIntOption('maxInFlight', 1.5, 1)).toThrow(RangeError)
    expect(nonNegativeIntOption('graceMs', 0, 5)).toBe(0)
    expect(() => nonNegativeIntOption('graceMs', -1, 5)).toThrow(
      'graceMs must be a non-negative integer, got -1',
    )
  })
})
