/**
 * The AgentMux commands (`spawn_pool_window`, `reap_panes`, `drain_pool_if_last`) as an adapter:
 * defined like an app's commands (`input`/`output` schemas, `retry`), plus the mapping of their
 * AgentMux report frames, which they keep on the wire instead of `report_result`
 * (docs/protocol.md):
 *
 * | command              | handler output            | report (host → launcher)                               | outcome event                         |
 * |----------------------|---------------------------|--------------------------------------------------------|---------------------------------------|
 * | `spawn_pool_window`  | `{ label }`               | `report_pool_window_added{label, saga_id}`             | `pool_window_added{label, saga_id}`   |
 * | `reap_panes`         | `{ label }`               | `report_panes_reaped{label, saga_id}`                  | `panes_reaped{label, saga_id}`        |
 * | `drain_pool_if_last` | `{ label, was_last }`     | `report_pool_drain_decision{label, was_last, saga_id}` | `pool_drained` / `pool_not_last`      |
 *
 * A host serves them by passing {@link agentMuxCommands} to `runHost` with a handler for each (the
 * demo host does); a host that does not, answers them as any command it does not define. The
 * host turns a handler's output into its report with {@link AgentMuxAdapter.toReport}; the
 * launcher asks {@link reportTagFor} which report completes a call and turns that report into
 * the call's output and its outcome event with {@link readAgentMuxReport}.
 *
 * `defineCommands` refuses these names (they are the protocol's), so the definitions are built
 * here directly.
 *
 * Zod stays out of a host's start-up: a host registers before zod loads, and the demo host
 * imports this file. So the schemas are built on first read, with the zod that `protocol.ts`
 * hands over when it loads ({@link provideZodForAgentMuxSchemas}); the launcher always has it
 * loaded. A host never reads them: the protocol's parsers already check these commands' fields
 * (the zod-free `fast-frames.ts` or the schemas), and `toReport` checks a handler's output
 * without zod.
 *
 * Runtime-free: no Node, no DOM, no zod import at run time.
 */
import type { z } from 'zod'
import type { CommandDefinition } from './define-commands'
import { describe, isWellFormed } from './frame-decoding'
import type {
  Event,
  ReportPanesReaped,
  ReportPoolDrainDecision,
  ReportPoolWindowAdded,
  SagaReport,
} from './protocol-core'

type Zod = typeof z

/** The AgentMux command names, in protocol order. */
export const AGENTMUX_COMMAND_NAMES = ['spawn_pool_window', 'reap_panes', 'drain_pool_if_last'] as const
export type AgentMuxCommandName = (typeof AGENTMUX_COMMAND_NAMES)[number]

/** The report that completes each AgentMux command. */
export interface AgentMuxReports {
  spawn_pool_window: ReportPoolWindowAdded
  reap_panes: ReportPanesReaped
  drain_pool_if_last: ReportPoolDrainDecision
}
export type AgentMuxReport = AgentMuxReports[AgentMuxCommandName]

/** What each AgentMux handler returns, and what a launcher's call resolves to. */
export interface AgentMuxOutputs {
  spawn_pool_window: { label: string }
  reap_panes: { label: string }
  drain_pool_if_last: { label: string; was_last: boolean }
}
export type AgentMuxOutput = AgentMuxOutputs[AgentMuxCommandName]

/** The events that tell the outcome of an AgentMux saga (each beside `saga_completed`). */
export type AgentMuxOutcomeEvent = Extract<
  Event,
  { event: 'pool_window_added' | 'panes_reaped' | 'pool_drained' | 'pool_not_last' }
>

/** Labels as the protocol's schemas take them (`report_*.label`). */
const LABEL_MAX_CHARS = 256

function buildSchemas(zod: Zod) {
  const label = zod.string().min(1).max(LABEL_MAX_CHARS)
  const labelled = zod.object({ label })
  return {
    spawn_pool_window: { input: zod.object({}), output: labelled },
    reap_panes: { input: labelled, output: labelled },
    drain_pool_if_last: { input: labelled, output: zod.object({ label, was_last: zod.boolean() }) },
  }
}
type Schemas = ReturnType<typeof buildSchemas>

/** The definitions, typed as `defineCommands` would type them. */
export type AgentMuxCommands = {
  readonly [K in AgentMuxCommandName]: CommandDefinition<Schemas[K]['input'], Schemas[K]['output']>
}

let zodForSchemas: Zod | undefined
let builtSchemas: Schemas | undefined

/**
 * Hands zod over for the schemas of {@link agentMuxCommands}; called by `protocol.ts` when it
 * loads (the first zod given is kept).
 */
export function provideZodForAgentMuxSchemas(zod: Zod): void {
  zodForSchemas ??= zod
}

function schemas(): Schemas {
  if (builtSchemas) return builtSchemas
  if (!zodForSchemas)
    throw new Error(
      'the AgentMux command schemas need zod, which the protocol module (`hostpipe`) provides when it loads: import it first',
    )
  return (builtSchemas = buildSchemas(zodForSchemas))
}

function definition<K extends AgentMuxCommandName>(name: K, retry: boolean): AgentMuxCommands[K] {
  return Object.freeze({
    get input() {
      return schemas()[name].input
    },
    get output() {
      return schemas()[name].output
    },
    retry,
  }) as AgentMuxCommands[K]
}

/**
 * The AgentMux commands as command definitions, for `runHost({ commands })` (a host that serves
 * them) and for a launcher. `reap_panes` and `drain_pool_if_last` are retried on host loss: they
 * act on a label and running them twice changes nothing (panes already reaped, a pool already
 * drained; a new host judges "last" on its own pool). `spawn_pool_window` is not: run twice it
 * opens two windows.
 */
export const agentMuxCommands: AgentMuxCommands = Object.freeze({
  spawn_pool_window: definition('spawn_pool_window', false),
  reap_panes: definition('reap_panes', true),
  drain_pool_if_last: definition('drain_pool_if_last', true),
})

/** What the host and the launcher need to know of one AgentMux command beyond its definition. */
export interface AgentMuxAdapter<K extends AgentMuxCommandName = AgentMuxCommandName> {
  readonly name: K
  /** The report that completes it, instead of `report_result`. */
  readonly reportTag: AgentMuxReports[K]['cmd']
  /**
   * Host side: the report frame for a handler's `output`. Throws an Error naming the field when
   * the output does not have the command's shape (a label of 1 to 256 characters; `was_last` a
   * boolean), so the call fails instead of sending a report the launcher would refuse.
   */
  toReport(sagaId: number, output: unknown): AgentMuxReports[K]
}

const adapters: { readonly [K in AgentMuxCommandName]: AgentMuxAdapter<K> } = {
  spawn_pool_window: {
    name: 'spawn_pool_window',
    reportTag: 'report_pool_window_added',
    toReport: (saga_id, output) => ({
      cmd: 'report_pool_window_added',
      label: labelOf('spawn_pool_window', output),
      saga_id,
    }),
  },
  reap_panes: {
    name: 'reap_panes',
    reportTag: 'report_panes_reaped',
    toReport: (saga_id, output) => ({
      cmd: 'report_panes_reaped',
      label: labelOf('reap_panes', output),
      saga_id,
    }),
  },
  drain_pool_if_last: {
    name: 'drain_pool_if_last',
    reportTag: 'report_pool_drain_decision',
    toReport: (saga_id, output) => {
      const label = labelOf('drain_pool_if_last', output)
      const wasLast = (output as { was_last?: unknown }).was_last
      if (typeof wasLast !== 'boolean')
        throw new Error(
          `output of \`drain_pool_if_last\` is invalid: \`was_last\` must be a boolean, got ${describe(wasLast)}`,
        )
      return { cmd: 'report_pool_drain_decision', label, was_last: wasLast, saga_id }
    },
  },
}

const adapterByDefinition = new Map<CommandDefinition, AgentMuxAdapter>(
  AGENTMUX_COMMAND_NAMES.map((name) => [agentMuxCommands[name], adapters[name]]),
)

/**
 * The adapter of a definition taken from {@link agentMuxCommands} (by identity, so it holds for
 * definitions spread into a larger set), or undefined for an app's own command.
 */
export function agentMuxAdapterOf(def: CommandDefinition): AgentMuxAdapter | undefined {
  return adapterByDefinition.get(def)
}

/**
 * Which report completes a call of `def`: the AgentMux report for an AgentMux definition,
 * `report_result` for an app's command. (`report_saga_action_failed` ends any call, as a failure.)
 */
export function reportTagFor(def: CommandDefinition): SagaReport['cmd'] {
  return adapterByDefinition.get(def)?.reportTag ?? 'report_result'
}

/** True when `report` is one of the AgentMux reports. */
export function isAgentMuxReport(report: { cmd: string }): report is AgentMuxReport {
  return (
    report.cmd === 'report_pool_window_added' ||
    report.cmd === 'report_panes_reaped' ||
    report.cmd === 'report_pool_drain_decision'
  )
}

/** A completed AgentMux call as the launcher reads its report. */
export interface AgentMuxResult<O extends AgentMuxOutput = AgentMuxOutput> {
  /** What the call resolves to: the handler's output, as the report carries it. */
  readonly output: O
  /** The outcome event to publish beside `saga_completed`, e.g. `pool_window_added{label, saga_id, version}`. */
  event(sagaId: number, version: number): AgentMuxOutcomeEvent
}

/**
 * Launcher side: the output and the outcome event of an AgentMux report (the report has been
 * parsed by the protocol's schemas, so its fields are sound).
 * `report_pool_drain_decision` gives `pool_drained` when `was_last`, else `pool_not_last`.
 */
export function readAgentMuxReport(report: ReportPoolWindowAdded): AgentMuxResult<{ label: string }>
export function readAgentMuxReport(report: ReportPanesReaped): AgentMuxResult<{ label: string }>
export function readAgentMuxReport(
  report: ReportPoolDrainDecision,
): AgentMuxResult<{ label: string; was_last: boolean }>
export function readAgentMuxReport(report: AgentMuxReport): AgentMuxResult
export function readAgentMuxReport(report: AgentMuxReport): AgentMuxResult {
  const label = report.label
  switch (report.cmd) {
    case 'report_pool_window_added':
      return {
        output: { label },
        event: (saga_id, version) => ({ event: 'pool_window_added', label, saga_id, version }),
      }
    case 'report_panes_reaped':
      return {
        output: { label },
        event: (saga_id, version) => ({ event: 'panes_reaped', label, saga_id, version }),
      }
    case 'report_pool_drain_decision': {
      const event = report.was_last ? 'pool_drained' : 'pool_not_last'
      return {
        output: { label, was_last: report.was_last },
        event: (saga_id, version) => ({ event, label, saga_id, version }),
      }
    }
  }
}

/** The output's `label`, checked as the launcher's report schema will check it. */
function labelOf(name: AgentMuxCommandName, output: unknown): string {
  if (typeof output !== 'object' || output === null)
    throw new Error(`output of \`${name}\` is invalid: expected an object { label }, got ${describe(output)}`)
  const label = (output as { label?: unknown }).label
  if (typeof label !== 'string' || label.length < 1 || label.length > LABEL_MAX_CHARS || !isWellFormed(label))
    throw new Error(
      `output of \`${name}\` is invalid: \`label\` must be a well-formed string of 1 to ${LABEL_MAX_CHARS} characters, got ${describe(label)}`,
    )
  return label
}
