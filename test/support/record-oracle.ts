import { readFile } from 'node:fs/promises'

/** `saga_failed` reasons that mean the host was lost with the command in flight (§8). */
export const HOST_LOSS_REASONS = ['host disconnected before ack', 'host lost while executing']

export function isHostLossReason(reason: string): boolean {
  return HOST_LOSS_REASONS.some((r) => reason.startsWith(r))
}

/** A saga's one outcome as the launcher told it: `completed`, or `failed: <reason>`. */
export type SagaOutcome = 'completed' | `failed: ${string}`

/** saga id → how many `<seq> <saga_id>` lines name it in a HOSTPIPE_RECORD file (all hosts). */
export async function readCompletions(recordPath: string): Promise<Map<number, number>> {
  let text = ''
  try {
    text = await readFile(recordPath, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const counts = new Map<number, number>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const m = /^(\d+) (\d+)$/.exec(line)
    if (!m) throw new Error(`${recordPath}: not a "<seq> <saga_id>" line: ${JSON.stringify(line)}`)
    const sagaId = Number(m[2])
    if (sagaId !== 0) counts.set(sagaId, (counts.get(sagaId) ?? 0) + 1)
  }
  return counts
}

/**
 * The §8 oracle: every saga reported completed was completed exactly once by a host; every saga
 * failed for a reason other than the host's loss was never completed; one failed by the host's
 * loss was completed at most once. Returns the violations (empty when the outcomes are the truth).
 */
export function outcomeViolations(
  outcomes: ReadonlyMap<number, SagaOutcome>,
  completions: ReadonlyMap<number, number>,
): string[] {
  const violations: string[] = []
  for (const [id, outcome] of outcomes) {
    const times = completions.get(id) ?? 0
    if (outcome === 'completed') {
      if (times !== 1) violations.push(`saga ${id} reported completed, completed ${times} times`)
    } else if (isHostLossReason(outcome.slice('failed: '.length))) {
      if (times > 1) violations.push(`saga ${id} (${outcome}) completed ${times} times`)
    } else if (times !== 0) violations.push(`saga ${id} reported ${outcome}, yet a host completed it`)
  }
  for (const [id, times] of completions)
    if (!outcomes.has(id)) violations.push(`saga ${id} completed ${times} times without an outcome`)
  return violations
}
