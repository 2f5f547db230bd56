import type { HostPipeCounters } from '../../src/shared/diagnostics'
import type { KillMoment } from './host-killer'
import type { HostRecords } from './host-records'
import { IntColumn } from './int-column'
import type { PipeOracle } from './pipe-oracle'
import { isHostLossReason } from '../support/record-oracle'
import { OUTCOME_COMPLETED, OUTCOME_FAILED, type SagaLedger } from './saga-ledger'

/** Reasons a deadline-aware host reports itself: such a saga may be acked, yet never completed. */
const HOST_REPORTED_REASONS = new Set(['deadline exceeded', 'cancelled'])

export interface ChaosFacts {
  form: string
  seed: number
  durationMs: number
  targetRate: number
  achievedRate: number
  kills: number
  killsByMoment: Record<KillMoment, number>
  startHostNudges: number
  hostProcesses: number
  supervisorRestarts: number
  counters: HostPipeCounters
  pending: number
  inFlight: number
  openSagas: number
  oracle: PipeOracle
  ledger: SagaLedger
  /** What a `tool` client on the real socket received. */
  tool: { terminals: IntColumn; wasCutOff: boolean }
  records: HostRecords
  rssMb: { before: number; baseline: number; peak: number; end: number }
  /** The peak may exceed the post-warm-up baseline by at most this. */
  rssGrowthLimitMb: number
  launcherErrors: string[]
}

export interface ChaosVerdict {
  table: string
  violations: string[]
}

const MAX_LISTED = 10

/**
 * The checks of a chaos run and its accounting table.
 *
 * HostPipe identities (with acks on, derived from host-pipe.ts):
 * - Per write: every command write enters the in-flight map when it starts and leaves it by
 *   exactly one of an accepted ack (`acked`), the host going away (`failedBeforeAck`), or its own
 *   write failing while still tracked (re-buffered, or dropped if its saga already ended). `sent`
 *   counts writes that resolved; a socket also rejects writes it had already queued when the peer
 *   dies, *after* HostPipe failed them (R). Hence
 *     sent + R = acked + failedBeforeAck + inFlight.
 *   With no refused write (R = 0) this is the textbook `sent = acked + failedBeforeAck`.
 * - Per command: every command handed to `sendCommand` ends in exactly one of acked,
 *   failedBeforeAck, droppedOverflow, droppedExpired, cancelled (removed by `cancelSaga` once its
 *   saga ended some other way), or dropped after a refused write of an ended saga (W_s), unless
 *   it is still pending or in flight:
 *     issued = acked + failedBeforeAck + droppedOverflow + droppedExpired + cancelled + W_s
 *              + pending + inFlight.
 */
export function judgeChaos(f: ChaosFacts): ChaosVerdict {
  const { counters: c, oracle, ledger, records } = f
  const violations: string[] = []
  const problem = (list: string[], what: string): void => {
    if (list.length < MAX_LISTED) list.push(what)
    else if (list.length === MAX_LISTED) list.push('…')
  }

  // Exactly one terminal per saga.
  violations.push(...ledger.violations(MAX_LISTED))
  const toolSeen: string[] = []
  if (f.tool.wasCutOff) toolSeen.push('the tool client was cut off')
  for (let id = 1; id <= Math.max(ledger.started.maxIndex, f.tool.terminals.maxIndex); id++)
    if (f.tool.terminals.get(id) !== (ledger.started.get(id) > 0 ? 1 : 0))
      problem(toolSeen, `the tool client saw ${f.tool.terminals.get(id)} terminal events for saga ${id}`)
  violations.push(...toolSeen)
  if (f.openSagas !== 0) violations.push(`${f.openSagas} saga(s) still open at the end`)
  if (f.pending !== 0 || f.inFlight !== 0)
    violations.push(`HostPipe not drained at the end: pending ${f.pending}, inFlight ${f.inFlight}`)

  // HostPipe identities and the oracle's independent counts.
  const r = oracle.rejectedAfterTerminal
  const ws = oracle.rejectedWhileTrackedSettled
  const perWrite = { left: c.sent + r, right: c.acked + c.failedBeforeAck + f.inFlight }
  const terminals =
    c.acked +
    c.failedBeforeAck +
    c.droppedOverflow +
    c.droppedExpired +
    c.cancelled +
    ws +
    f.pending +
    f.inFlight
  const perCommand = { left: oracle.issued, right: terminals }
  if (perWrite.left !== perWrite.right)
    violations.push(`sent + R = ${perWrite.left} but acked + failedBeforeAck + inFlight = ${perWrite.right}`)
  if (perCommand.left !== perCommand.right)
    violations.push(`issued = ${perCommand.left} but the terminal counters add up to ${perCommand.right}`)
  if (oracle.commandWritesResolved !== c.sent)
    violations.push(`sent = ${c.sent} but the oracle saw ${oracle.commandWritesResolved} resolved writes`)
  if (oracle.ackedCommands !== c.acked)
    violations.push(`acked = ${c.acked} but the oracle saw ${oracle.ackedCommands} commands acked`)
  if (oracle.commandWritesRejected + oracle.eventWritesRejected !== c.writeFailures)
    violations.push(
      `writeFailures = ${c.writeFailures} but the oracle saw ` +
        `${oracle.commandWritesRejected} + ${oracle.eventWritesRejected} refused writes`,
    )
  for (const m of oracle.mismatches.slice(0, MAX_LISTED)) violations.push(`oracle: ${m}`)

  // At-most-once, from the host records and the written frames.
  const atMostOnce: string[] = []
  const ackedButFailed: string[] = []
  const ackedUnrecorded: string[] = []
  // §8: the outcome is the truth. Completed ⇒ completed by a host exactly once (no retries here);
  // failed for a reason other than the host's loss ⇒ never completed.
  const untruthful: string[] = []
  const sagaExecutions = new IntColumn()
  const sagaDeliveries = new IntColumn()
  let executedSeqs = 0
  let ackedSeqs = 0
  let executedButFailed = 0
  const executedButFailedBy = new Map<string, number>()
  const lastSeq = Math.max(oracle.sagaOfSeq.maxIndex, records.timesExecuted.maxIndex)
  for (let seq = 1; seq <= lastSeq; seq++) {
    const sagaId = oracle.sagaOfSeq.get(seq)
    const times = records.timesExecuted.get(seq)
    const isAcked = oracle.isSeqAcked.get(seq) === 1
    if (sagaId !== 0 && oracle.wasRefused.get(seq) === 0 && sagaDeliveries.add(sagaId) === 2)
      problem(atMostOnce, `saga ${sagaId} written again after a write that was not refused (replay)`)
    if (times > 0) {
      executedSeqs++
      if (times > 1) problem(atMostOnce, `seq ${seq} executed ${times} times`)
      if (sagaId === 0) problem(atMostOnce, `seq ${seq} executed but never written by the launcher`)
      else {
        if (records.sagaOfRecord.get(seq) !== sagaId)
          problem(
            atMostOnce,
            `seq ${seq} recorded for saga ${records.sagaOfRecord.get(seq)}, written for saga ${sagaId}`,
          )
        if (sagaExecutions.add(sagaId) === 2) problem(atMostOnce, `saga ${sagaId} executed under two seqs`)
        if (ledger.outcome.get(sagaId) === OUTCOME_FAILED) {
          executedButFailed++
          const why = ledger.reasonOf(sagaId) ?? '?'
          executedButFailedBy.set(why, (executedButFailedBy.get(why) ?? 0) + 1)
        }
      }
    }
    if (isAcked) {
      ackedSeqs++
      const isFailed = ledger.outcome.get(sagaId) === OUTCOME_FAILED
      const hostSaidFailed = isFailed && HOST_REPORTED_REASONS.has(ledger.reasonOf(sagaId) ?? '')
      // A command the host declined (past its deadline, cancelled) is acked but not recorded.
      if (times === 0 && !hostSaidFailed)
        problem(ackedUnrecorded, `seq ${seq} acked but not in any host record`)
      if (isFailed && !hostSaidFailed)
        problem(
          ackedButFailed,
          `saga ${sagaId} reported failed (${ledger.reasonOf(sagaId)}) but its host acked it`,
        )
    }
  }
  let completedUnrecorded = 0
  let completedExactlyOnce = 0
  let failedByLossCompleted = 0
  for (let id = 1; id <= Math.max(ledger.outcome.maxIndex, records.timesCompleted.maxIndex); id++) {
    const times = records.timesCompleted.get(id)
    const outcome = ledger.outcome.get(id)
    if (outcome === OUTCOME_COMPLETED) {
      if (times === 0) completedUnrecorded++
      if (times === 1) completedExactlyOnce++
      else problem(untruthful, `saga ${id} reported completed, completed by hosts ${times} times`)
    } else if (outcome === OUTCOME_FAILED) {
      const why = ledger.reasonOf(id) ?? '?'
      if (isHostLossReason(why)) {
        if (times > 0) failedByLossCompleted++
        if (times > 1) problem(untruthful, `saga ${id} failed (${why}) but completed ${times} times`)
      } else if (times > 0) problem(untruthful, `saga ${id} reported failed (${why}) but a host completed it`)
    } else if (times > 0) problem(untruthful, `saga ${id} completed ${times} times without an outcome`)
  }
  if (records.partialLines > 0)
    atMostOnce.push(`${records.partialLines} record file(s) end in a partial line`)
  violations.push(...atMostOnce, ...ackedButFailed, ...ackedUnrecorded, ...untruthful)
  for (const e of f.launcherErrors.slice(0, MAX_LISTED)) violations.push(`launcher logged an error: ${e}`)
  const rssGrowth = f.rssMb.peak - f.rssMb.baseline
  if (rssGrowth > f.rssGrowthLimitMb)
    violations.push(
      `RSS grew ${rssGrowth} MB past its post-warm-up baseline (limit ${f.rssGrowthLimitMb} MB)`,
    )

  const n = (x: number): string => x.toLocaleString('en-US')
  const ok = (holds: boolean): string => (holds ? 'holds' : 'VIOLATED')
  const rows: Array<[string, string]> = [
    ['HostPipe counters', ''],
    ...(Object.entries(c) as Array<[string, number]>).map(([k, v]): [string, string] => ['  ' + k, n(v)]),
    ['  pending / inFlight at the end', `${f.pending} / ${f.inFlight}`],
    ['Oracle (wrapped HostPipe + writers)', ''],
    ['  commands issued (sendCommand, postCommand)', n(oracle.issued)],
    [
      '  command writes resolved / refused',
      `${n(oracle.commandWritesResolved)} / ${n(oracle.commandWritesRejected)}`,
    ],
    ['    refused after ack or failure (R)', n(r)],
    [
      '    refused while in flight (W) / of ended sagas (W_s)',
      `${n(oracle.rejectedWhileTracked)} / ${n(ws)}`,
    ],
    ['  event writes refused', n(oracle.eventWritesRejected)],
    ['  commands acked (covered by accepted acks)', n(oracle.ackedCommands)],
    ['  host sessions (setWriter)', n(oracle.sessions.length)],
    ['Identities', ''],
    [
      '  sent + R = acked + failedBeforeAck + inFlight',
      `${n(c.sent)} + ${n(r)} = ${n(c.acked)} + ${n(c.failedBeforeAck)} + ${f.inFlight}  ${ok(perWrite.left === perWrite.right)}`,
    ],
    [
      '  issued = acked + failedBeforeAck + droppedOverflow',
      `${n(oracle.issued)} = ${n(c.acked)} + ${n(c.failedBeforeAck)} + ${n(c.droppedOverflow)}`,
    ],
    [
      '           + droppedExpired + cancelled + W_s + pending + inFlight',
      `+ ${n(c.droppedExpired)} + ${n(c.cancelled)} + ${ws} + ${f.pending} + ${f.inFlight}  ${ok(perCommand.left === perCommand.right)}`,
    ],
    ['Sagas', ''],
    [
      '  started / completed / failed',
      `${n(ledger.startedCount)} / ${n(ledger.completedCount)} / ${n(ledger.failedCount)}`,
    ],
    ...[...ledger.failuresByReason].map(([why, count]): [string, string] => [`    failed: ${why}`, n(count)]),
    ['  exactly one terminal event each (launcher bus)', ok(ledger.violations(1).length === 0)],
    ['  exactly one terminal event each (tool client on the socket)', ok(toolSeen.length === 0)],
    ['Host records (HOSTPIPE_RECORD, one file per host)', ''],
    [
      '  record files / lines / distinct executed seqs',
      `${records.files} / ${n(records.lines)} / ${n(executedSeqs)}`,
    ],
    ['  seqs acked', n(ackedSeqs)],
    ['  every acked seq recorded (unless its host declined it)', ok(ackedUnrecorded.length === 0)],
    ['  nothing executed twice (seq or saga), nothing replayed', ok(atMostOnce.length === 0)],
    ['  no saga reported failed that its host acked', ok(ackedButFailed.length === 0)],
    ['  executed, yet the saga failed (its report was lost)', n(executedButFailed)],
    ...[...executedButFailedBy].map(([why, count]): [string, string] => [`    ${why}`, n(count)]),
    ['Outcomes against the records (§8)', ''],
    [
      '  completed sagas completed exactly once by a host',
      `${n(completedExactlyOnce)}  ${ok(untruthful.length === 0)}`,
    ],
    ['  completed sagas with no record line', n(completedUnrecorded)],
    ['  failed by the host’s loss, yet completed (report lost with it)', n(failedByLossCompleted)],
    [
      '  failed for any other reason, yet completed',
      ok(untruthful.length === 0) === 'holds' ? '0' : 'VIOLATED',
    ],
    ['Launcher', ''],
    ['  alive, host registered at the end', 'yes'],
    [
      '  host processes / supervisor restarts / start-host',
      `${f.hostProcesses} / ${f.supervisorRestarts} / ${f.startHostNudges}`,
    ],
    [
      '  RSS MB before / baseline / peak / end',
      `${f.rssMb.before} / ${f.rssMb.baseline} / ${f.rssMb.peak} / ${f.rssMb.end}  ` +
        `(growth ${rssGrowth} MB, limit ${f.rssGrowthLimitMb})`,
    ],
  ]
  const width = Math.max(...rows.map(([k]) => k.length)) + 2
  const header =
    `hostpipe chaos (${f.form}): seed ${f.seed}, ${f.kills} SIGKILLs ` +
    `(registering ${f.killsByMoment.registering}, draining ${f.killsByMoment.draining}, ` +
    `streaming ${f.killsByMoment.streaming}) in ${(f.durationMs / 1000).toFixed(1)} s, ` +
    `sagas at ${n(Math.round(f.achievedRate))}/s (target ${n(f.targetRate)}/s)`
  const table = [header, ...rows.map(([k, v]) => (v === '' ? k : k.padEnd(width) + v))].join('\n')
  return { table, violations }
}
