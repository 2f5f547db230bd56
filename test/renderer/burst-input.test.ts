import { describe, expect, it } from 'vitest'
import { parseBurstInput } from '../../src/renderer/burst-input'

describe('reading the burst field', () => {
  it('accepts whole numbers from 1 to 100000', () => {
    expect(parseBurstInput('1')).toEqual({ ok: true, count: 1 })
    expect(parseBurstInput(' 100 ')).toEqual({ ok: true, count: 100 })
    expect(parseBurstInput('100000')).toEqual({ ok: true, count: 100_000 })
  })

  it('refuses anything else with a message saying what is wanted', () => {
    for (const bad of ['', '0', '-5', '1.5', '1e3', 'abc', '100001', '99999999999999999999']) {
      const result = parseBurstInput(bad)
      expect(result.ok, bad).toBe(false)
      if (!result.ok) expect(result.error).toBe('Enter a whole number from 1 to 100000.')
    }
  })
})
