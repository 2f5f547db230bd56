import type { Command } from '../src/shared/protocol'

/** What a scenario sends: command number `index` of a run. */
export interface Workload {
  readonly name: string
  commandAt(index: number): Command
}

/**
 * The pipe's own traffic: command frames out, cumulative acks back. `reap_panes` without a saga
 * id: the host executes it (its default handler keeps no state per command, so a million of them
 * do not grow the host) and acks it, and sends no report, since a report belongs to a saga. This is
 * what the throughput ratio, the latency and the RSS scenarios send.
 */
export const PIPE_WORKLOAD: Workload = {
  name: 'commands + acks',
  commandAt: () => ({ cmd: 'reap_panes', label: 'w1' }),
}

/**
 * As the saga coordinator sends them: each command with its own saga id, so the host also sends
 * a `report_panes_reaped` per command, which LauncherServer validates (zod) and routes. Shown
 * beside the ratio: it adds the protocol layer's per-report cost on top of the pipe's.
 */
export const SAGA_WORKLOAD: Workload = {
  name: 'saga commands + reports + acks',
  commandAt: (index) => ({ cmd: 'reap_panes', label: 'w1', saga_id: index + 1 }),
}

/**
 * A launcher side that can send commands to a real host process and observe its acks: HostPipe
 * behind the real protocol layer, or the raw baseline. Both send exactly the frames a workload
 * gives them.
 */
export interface CommandTarget {
  readonly name: string
  /** The host process this target talks to. */
  readonly hostPid: number | undefined
  /** Sends one command; never blocks, never throws (a failure fails the run). */
  send(cmd: Command): void
  /** Commands the host has acknowledged over this target's life (cumulative acks, counted). */
  readonly acked: number
  /** Called after every ack the host sends. */
  onAck: (() => void) | undefined
  /** Set when something went wrong (a write failed, the host went away). */
  readonly failure: Error | undefined
  dispose(): Promise<void>
}
