import { describe, expect, it } from 'vitest'
import { counterLabel, counterTestId, kebabCase } from '../../src/renderer/counter-ids'
import { COUNTER_NAMES } from '../../src/shared/diagnostics'

describe('counter ids', () => {
  it('kebab-case camelCase names', () => {
    expect(kebabCase('droppedOverflow')).toBe('dropped-overflow')
    expect(kebabCase('failedBeforeAck')).toBe('failed-before-ack')
    expect(kebabCase('sent')).toBe('sent')
  })

  it('give every counter the stable test id the e2e tests use', () => {
    expect(COUNTER_NAMES.map(counterTestId)).toEqual([
      'counter-sent',
      'counter-acked',
      'counter-buffered',
      'counter-drained',
      'counter-dropped-overflow',
      'counter-dropped-expired',
      'counter-failed-before-ack',
      'counter-saga-failed',
      'counter-write-failures',
      'counter-stale-session',
      'counter-ignored-acks',
      'counter-cancelled',
    ])
  })

  it('label counters in words', () => {
    expect(counterLabel('staleSession')).toBe('stale session')
  })
})
