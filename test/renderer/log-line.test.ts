import { describe, expect, it } from 'vitest'
import { describeLogEvent, isSagaFailureMessage } from '../../src/renderer/log-line'

describe('describing a launcher log line', () => {
  it('recognises the launcher’s saga failure wordings', () => {
    expect(isSagaFailureMessage('saga 12 failed: host unreachable')).toBe(true)
    expect(isSagaFailureMessage('100 sagas failed (saga 1 … saga 100): host disconnected before ack')).toBe(
      true,
    )
    expect(isSagaFailureMessage('saga_failed saga_id=3')).toBe(true)
    expect(isSagaFailureMessage('host pid 4 crashed (signal SIGKILL)')).toBe(false)
    expect(isSagaFailureMessage('burst refused: count must be an integer')).toBe(false)
  })

  it('recognises failures that name their command, and keeps the name out of the reason', () => {
    const one = describeLogEvent({ at: 1, level: 'warn', message: 'saga 12 (ns:add) failed: bad input' })
    expect(one).toMatchObject({ isSagaFailure: true, kind: 'saga_failed', reason: 'bad input' })
    const run = describeLogEvent({
      at: 1,
      level: 'warn',
      message: '36 sagas (add, sub, …) failed (saga 1 … saga 36): host pipe backpressure overflow',
    })
    expect(run).toMatchObject({ isSagaFailure: true, reason: 'host pipe backpressure overflow' })
  })

  it('pulls the reason out of a failure, including one with colons in it', () => {
    expect(
      describeLogEvent({ at: 1, level: 'warn', message: 'saga 3 failed: write failed: EPIPE' }).reason,
    ).toBe('write failed: EPIPE')
    expect(
      describeLogEvent({
        at: 1,
        level: 'warn',
        message: '2 sagas failed (saga 1 … saga 2): host unreachable',
      }).reason,
    ).toBe('host unreachable')
  })

  it('uses the level as the kind of an ordinary line', () => {
    expect(describeLogEvent({ at: 5, level: 'error', message: 'host crashed' })).toEqual({
      at: 5,
      level: 'error',
      kind: 'error',
      text: 'host crashed',
      isSagaFailure: false,
    })
  })
})
