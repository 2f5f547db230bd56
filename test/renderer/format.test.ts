import { describe, expect, it } from 'vitest'
import {
  formatCount,
  formatLatencyMs,
  formatPid,
  formatRate,
  formatTimeOfDay,
} from '../../src/renderer/format'

describe('formatting values for the panel', () => {
  it('shows counts as bare digits, without separators or units', () => {
    expect(formatCount(0)).toBe('0')
    expect(formatCount(1234567)).toBe('1234567')
    expect(formatCount(null)).toBe('')
    expect(formatCount(undefined)).toBe('')
    expect(formatCount(NaN)).toBe('')
  })

  it('shows a latency as whole ms rounded up, or nothing when none was measured', () => {
    expect(formatLatencyMs(0.3)).toBe('1')
    expect(formatLatencyMs(12)).toBe('12')
    expect(formatLatencyMs(12.01)).toBe('13')
    expect(formatLatencyMs(0)).toBe('0')
    expect(formatLatencyMs(null)).toBe('')
  })

  it('shows a pid, or nothing while there is no host', () => {
    expect(formatPid(4242)).toBe('4242')
    expect(formatPid(null)).toBe('')
    expect(formatPid(0)).toBe('')
  })

  it('shortens rates for the chart legend', () => {
    expect(formatRate(0)).toBe('0')
    expect(formatRate(-3)).toBe('0')
    expect(formatRate(2.345)).toBe('2.3')
    expect(formatRate(987.6)).toBe('988')
    expect(formatRate(12_345)).toBe('12.3k')
    expect(formatRate(250_000)).toBe('250k')
  })

  it('writes the time of day with milliseconds', () => {
    const at = new Date(2024, 0, 2, 3, 4, 5, 6).getTime()
    expect(formatTimeOfDay(at)).toBe('03:04:05.006')
  })
})
