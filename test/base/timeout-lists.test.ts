import { describe, expect, it } from 'vitest'
import { TimeoutLists, type TimedItem } from '../../src/main/base/timeout-lists'
import type { Clock } from '../../src/main/base/clock'
import { ManualClock } from '../support/manual-clock'

interface Item extends TimedItem<Item> {
  readonly name: string
}

function makeLists() {
  const clock = new ManualClock()
  /** Every wait the lists ask their clock for, in ms. */
  const waits: number[] = []
  const recording: Clock = {
    now: () => clock.now(),
    setTimeout: (fn, ms) => {
      waits.push(ms)
      return clock.setTimeout(fn, ms)
    },
    clearTimeout: (handle) => clock.clearTimeout(handle),
  }
  const timedOut: string[] = []
  const lists = new TimeoutLists<Item>(recording, (item) => timedOut.push(item.name))
  const add = (name: string, timeoutMs: number): Item => {
    const item: Item = {
      name,
      timeoutMs,
      deadline: clock.now() + timeoutMs,
      timedIn: undefined,
      prevTimed: undefined,
      nextTimed: undefined,
    }
    lists.add(item)
    return item
  }
  return { clock, lists, timedOut, add, waits }
}

describe('TimeoutLists', () => {
  it('times items out at their deadlines, earliest first across lengths, on one timer', () => {
    const { clock, timedOut, add } = makeLists()
    add('a', 100)
    add('b', 30)
    clock.advance(10)
    add('c', 100)
    add('d', 30)
    expect(clock.pendingTimers).toBe(1)
    clock.advance(20)
    expect(timedOut).toEqual(['b'])
    clock.advance(10)
    expect(timedOut).toEqual(['b', 'd'])
    clock.advance(70)
    expect(timedOut).toEqual(['b', 'd', 'a', 'c'])
    expect(clock.pendingTimers).toBe(0)
  })

  it('never times out a removed item, wherever it sat in its list, and removing twice is harmless', () => {
    const { clock, lists, timedOut, add } = makeLists()
    const items = ['a', 'b', 'c', 'd'].map((name) => add(name, 50))
    lists.remove(items[0]!)
    lists.remove(items[2]!)
    lists.remove(items[2]!)
    lists.remove(items[3]!)
    clock.advance(50)
    expect(timedOut).toEqual(['b'])
    expect(items.map((i) => [i.timedIn, i.prevTimed, i.nextTimed])).toEqual(
      items.map(() => [undefined, undefined, undefined]),
    )
  })

  it('stops its timer when disposed', () => {
    const { clock, lists, timedOut, add } = makeLists()
    add('a', 10)
    lists.dispose()
    clock.advance(20)
    expect(timedOut).toEqual([])
    expect(clock.pendingTimers).toBe(0)
  })

  it('waits for a timeout past 2^31 − 1 ms in steps, since a longer timer would run at once', () => {
    const { clock, timedOut, add, waits } = makeLists()
    add('far', 2 ** 31 + 5)
    expect(waits).toEqual([2 ** 31 - 1])
    clock.advance(2 ** 31 - 1)
    expect(timedOut).toEqual([])
    expect(waits).toEqual([2 ** 31 - 1, 6])
    clock.advance(6)
    expect(timedOut).toEqual(['far'])
  })
})
