import { describe, expect, it } from 'vitest'
import { gaugeBand, gaugeFraction } from '../../src/renderer/gauge'

describe('the buffer gauge', () => {
  it('is green below half full, amber from half, red from 80 %', () => {
    expect(gaugeBand(0, 64)).toBe('ok')
    expect(gaugeBand(31, 64)).toBe('ok')
    expect(gaugeBand(32, 64)).toBe('warn')
    expect(gaugeBand(51, 64)).toBe('warn')
    expect(gaugeBand(52, 64)).toBe('danger')
    expect(gaugeBand(64, 64)).toBe('danger')
  })

  it('fills in proportion, clamped to 0..1', () => {
    expect(gaugeFraction(16, 64)).toBe(0.25)
    expect(gaugeFraction(100, 64)).toBe(1)
    expect(gaugeFraction(-1, 64)).toBe(0)
  })

  it('stays empty when the capacity is unknown', () => {
    expect(gaugeFraction(5, 0)).toBe(0)
    expect(gaugeBand(5, 0)).toBe('ok')
  })
})
