import { describe, expect, it } from 'vitest'
import { Emitter } from '../../src/main/base/emitter'
import { OnceEmitter } from '../../src/main/base/once-emitter'
import { takeUnexpectedErrors } from '../support/unexpected-errors'

describe('Emitter', () => {
  it('calls listeners synchronously, in subscription order, until their subscription is disposed', () => {
    const emitter = new Emitter<string>()
    const heard: string[] = []
    const a = emitter.event((e) => heard.push(`a:${e}`))
    emitter.event((e) => heard.push(`b:${e}`))
    emitter.fire('1')
    a.dispose()
    a.dispose()
    emitter.fire('2')
    expect(heard).toEqual(['a:1', 'b:1', 'b:2'])
    expect(emitter.listenerCount).toBe(1)
  })

  it('counts the same function subscribed twice as two subscriptions', () => {
    const emitter = new Emitter<number>()
    let calls = 0
    const fn = (): void => {
      calls++
    }
    const first = emitter.event(fn)
    emitter.event(fn)
    first.dispose()
    emitter.fire(1)
    expect(calls).toBe(1)
  })

  it('skips a listener removed during delivery and calls one added during delivery from the next event', () => {
    const emitter = new Emitter<number>()
    const heard: string[] = []
    const late = { dispose: () => {} }
    emitter.event((n) => {
      heard.push(`first:${n}`)
      late.dispose()
      if (n === 1) emitter.event((m) => heard.push(`added:${m}`))
    })
    const second = emitter.event((n) => heard.push(`second:${n}`))
    late.dispose = () => second.dispose()
    emitter.fire(1)
    emitter.fire(2)
    expect(heard).toEqual(['first:1', 'first:2', 'added:2'])
  })

  it('subscribes nothing once disposed', () => {
    const emitter = new Emitter<number>()
    let calls = 0
    emitter.dispose()
    emitter.event(() => calls++)
    emitter.fire(1)
    expect(calls).toBe(0)
    expect(emitter.hasListeners).toBe(false)
  })
})

describe('OnceEmitter', () => {
  it('fires once, and calls a late listener at once with the remembered value', () => {
    const once = new OnceEmitter<number>()
    const heard: number[] = []
    once.event((n) => heard.push(n))
    expect(once.fire(1)).toBe(true)
    expect(once.fire(2)).toBe(false)
    once.event((n) => heard.push(n * 10))
    expect(heard).toEqual([1, 10])
    expect(once.value).toBe(1)
    expect(once.hasFired).toBe(true)
  })

  it('reports a late listener that throws instead of throwing into the subscriber', () => {
    const once = new OnceEmitter<void>()
    once.fire()
    const bug = new Error('late bug')
    expect(() =>
      once.event(() => {
        throw bug
      }),
    ).not.toThrow()
    expect(takeUnexpectedErrors()).toEqual([bug])
  })
})
