// The AgentMux commands as an adapter: definitions like an app's, and the mapping of their reports.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  AGENTMUX_COMMAND_NAMES,
  agentMuxAdapterOf,
  agentMuxCommands,
  isAgentMuxReport,
  readAgentMuxReport,
  reportTagFor,
} from '../../src/shared/agentmux-commands'
import { defineCommands } from '../../src/shared/define-commands'
import { parseHostInbound } from '../../src/shared/protocol'

const app = defineCommands({
  add: { input: z.object({ a: z.number() }), output: z.object({ sum: z.number() }) },
})

describe('agentMuxCommands', () => {
  it('retries reap_panes and drain_pool_if_last on host loss, never spawn_pool_window', () => {
    expect(agentMuxCommands.spawn_pool_window.retry).toBe(false)
    expect(agentMuxCommands.reap_panes.retry).toBe(true)
    expect(agentMuxCommands.drain_pool_if_last.retry).toBe(true)
  })

  it('has input and output schemas of the AgentMux shapes', () => {
    expect(agentMuxCommands.reap_panes.input.safeParse({ label: 'w1' }).success).toBe(true)
    expect(agentMuxCommands.reap_panes.input.safeParse({ label: '' }).success).toBe(false)
    expect(agentMuxCommands.spawn_pool_window.input.safeParse({}).success).toBe(true)
    expect(agentMuxCommands.spawn_pool_window.output.safeParse({ label: 'w1' }).success).toBe(true)
    expect(
      agentMuxCommands.drain_pool_if_last.output.safeParse({ label: 'w1', was_last: 'no' }).success,
    ).toBe(false)
  })

  it('says which report completes a call: the AgentMux report, or report_result for an app command', () => {
    expect(reportTagFor(agentMuxCommands.spawn_pool_window)).toBe('report_pool_window_added')
    expect(reportTagFor(agentMuxCommands.reap_panes)).toBe('report_panes_reaped')
    expect(reportTagFor(agentMuxCommands.drain_pool_if_last)).toBe('report_pool_drain_decision')
    expect(reportTagFor(app.add)).toBe('report_result')
    const merged = { ...agentMuxCommands, ...app }
    expect(reportTagFor(merged.reap_panes)).toBe('report_panes_reaped')
    expect(agentMuxAdapterOf(app.add)).toBeUndefined()
  })

  it('builds the host report from a handler output, and the launcher reads it back to the same output', () => {
    const outputs = {
      spawn_pool_window: { label: 'w1' },
      reap_panes: { label: 'w2' },
      drain_pool_if_last: { label: 'w3', was_last: true },
    }
    for (const name of AGENTMUX_COMMAND_NAMES) {
      const report = agentMuxAdapterOf(agentMuxCommands[name])!.toReport(9, outputs[name])
      // The report is a frame the launcher's parser accepts as it is.
      expect(parseHostInbound(JSON.stringify(report))).toEqual({ ok: true, frame: report })
      expect(isAgentMuxReport(report)).toBe(true)
      expect(readAgentMuxReport(report).output).toEqual(outputs[name])
    }
  })

  it('maps each report to its outcome event', () => {
    expect(
      readAgentMuxReport({ cmd: 'report_pool_window_added', label: 'w1', saga_id: 1 }).event(1, 50),
    ).toEqual({ event: 'pool_window_added', label: 'w1', saga_id: 1, version: 50 })
    expect(readAgentMuxReport({ cmd: 'report_panes_reaped', label: 'w1', saga_id: 2 }).event(2, 51)).toEqual({
      event: 'panes_reaped',
      label: 'w1',
      saga_id: 2,
      version: 51,
    })
    const drained = { cmd: 'report_pool_drain_decision', label: 'w1', was_last: true, saga_id: 3 } as const
    expect(readAgentMuxReport(drained).event(3, 52)).toEqual({
      event: 'pool_drained',
      label: 'w1',
      saga_id: 3,
      version: 52,
    })
    expect(readAgentMuxReport({ ...drained, was_last: false }).event(3, 53)).toMatchObject({
      event: 'pool_not_last',
    })
    expect(isAgentMuxReport({ cmd: 'report_result' })).toBe(false)
  })

  it('refuses a handler output that the launcher would refuse as a report, naming the field', () => {
    const spawn = agentMuxAdapterOf(agentMuxCommands.spawn_pool_window)!
    expect(() => spawn.toReport(1, undefined)).toThrow(
      'output of `spawn_pool_window` is invalid: expected an object { label }, got nothing',
    )
    expect(() => spawn.toReport(1, { label: 'x'.repeat(257) })).toThrow(
      /`label` must be a well-formed string/,
    )
    expect(() => spawn.toReport(1, { label: 'a\ud800' })).toThrow(/`label`/)
  })
})
