/**
 * The AgentMux commands' frames and reports (agentmux-commands.ts) in the exact text each side
 * writes them, read without JSON.parse: fast-frames.ts tries these first and falls back to its
 * own readers, then to the schemas. Each pattern accepts only what the schemas accept (labels of
 * 1–256 plain characters, integers checked against MAX_SAFE_INTEGER by safeIntOf).
 */
import { HOT_INT, HOT_LABEL, safeIntOf } from './frame-decoding'
import type { DrainPoolIfLast, HostBound, HostInbound, ReapPanes, SpawnPoolWindow } from './protocol-core'

// As the launcher spells them: `{"kind":"command","seq":7,"cmd":"reap_panes","label":"w1",
// "saga_id":3,"deadline":…}`.
const HOT_COMMAND = new RegExp(
  `^\\{"kind":"command","seq":${HOT_INT},"cmd":"(spawn_pool_window|reap_panes|drain_pool_if_last)"` +
    `(?:,"label":"${HOT_LABEL}")?(?:,"saga_id":${HOT_INT})?(?:,"deadline":${HOT_INT})?\\}$`,
)
// As the host spells them.
const HOT_REPORT = new RegExp(
  `^\\{"cmd":"(report_pool_window_added|report_panes_reaped)","label":"${HOT_LABEL}","saga_id":${HOT_INT}\\}$`,
)
const HOT_DRAIN = new RegExp(
  `^\\{"cmd":"report_pool_drain_decision","label":"${HOT_LABEL}","was_last":(true|false),"saga_id":${HOT_INT}\\}$`,
)

/** A launcher → host line holding an AgentMux command, on the host; undefined for any other. */
export function parseHotBuiltinCommand(text: string): HostBound | undefined {
  if (text.length > 600 || text.charCodeAt(1) !== 0x22 /* " */ || text.charCodeAt(2) !== 0x6b /* k */)
    return undefined
  // Past `{"kind":"command","seq":` (24): an app's command seldom starts as these do (s, r, d).
  const c = text.charCodeAt(text.indexOf('"cmd":"', 24) + 7)
  if (c !== 0x73 && c !== 0x72 && c !== 0x64) return undefined
  const m = HOT_COMMAND.exec(text)
  if (!m) return undefined
  const seq = safeIntOf(m[1])
  const name = m[2] as 'spawn_pool_window' | 'reap_panes' | 'drain_pool_if_last'
  const label = m[3]
  const sagaId = m[4] === undefined ? undefined : safeIntOf(m[4])
  const deadline = m[5] === undefined ? undefined : safeIntOf(m[5])
  if (seq === undefined || (m[4] !== undefined && sagaId === undefined)) return undefined
  if (m[5] !== undefined && deadline === undefined) return undefined
  // spawn_pool_window takes no label (the schema would strip it); the others need one.
  if ((name === 'spawn_pool_window') !== (label === undefined)) return undefined
  let command: SpawnPoolWindow | ReapPanes | DrainPoolIfLast
  if (name === 'spawn_pool_window') command = { cmd: name }
  else command = { cmd: name, label: label! }
  if (sagaId !== undefined) command.saga_id = sagaId
  if (deadline !== undefined) command.deadline = deadline
  return { kind: 'command', seq, command }
}

/** A host → launcher line holding an AgentMux report, on the launcher; undefined for any other. */
export function parseHotBuiltinReport(text: string): HostInbound | undefined {
  let m = HOT_REPORT.exec(text)
  if (m) {
    const saga_id = safeIntOf(m[3])
    if (saga_id === undefined) return undefined
    const cmd = m[1] as 'report_pool_window_added' | 'report_panes_reaped'
    return { cmd, label: m[2]!, saga_id }
  }
  m = HOT_DRAIN.exec(text)
  if (m) {
    const saga_id = safeIntOf(m[3])
    if (saga_id === undefined) return undefined
    return { cmd: 'report_pool_drain_decision', label: m[1]!, was_last: m[2] === 'true', saga_id }
  }
  return undefined
}
