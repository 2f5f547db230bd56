import { describe, expect, it } from 'vitest'
import { Countdown, countdownText } from '../../src/renderer/countdown'

describe('the expiry countdown', () => {
  it('rounds the time left up to whole seconds', () => {
    expect(countdownText(30_000)).toBe('30')
    expect(countdownText(29_001)).toBe('30')
    expect(countdownText(29_000)).toBe('29')
    expect(countdownText(1)).toBe('1')
    expect(countdownText(0)).toBe('0')
  })

  it('is empty when no deadline runs', () => {
    expect(countdownText(null)).toBe('')
    expect(countdownText(undefined)).toBe('')
    expect(countdownText(NaN)).toBe('')
  })

  it('never shows a negative number', () => {
    expect(countdownText(-500)).toBe('0')
  })

  it('keeps falling between snapshots, on the local clock', () => {
    const countdown = new Countdown()
    countdown.set(5_000, 100_000)
    expect(countdown.textAt(100_000)).toBe('5')
    expect(countdown.textAt(101_000)).toBe('4')
    expect(countdown.textAt(104_999)).toBe('1')
    expect(countdown.textAt(105_000)).toBe('0')
    expect(countdown.textAt(200_000)).toBe('0')
  })

  it('restarts from each snapshot and clears when the deadline goes', () => {
    const countdown = new Countdown()
    countdown.set(5_000, 0)
    countdown.set(20_000, 1_000)
    expect(countdown.msLeftAt(2_000)).toBe(19_000)
    countdown.set(null, 3_000)
    expect(countdown.isRunning).toBe(false)
    expect(countdown.textAt(3_000)).toBe('')
  })
})
