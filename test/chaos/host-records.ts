import { readFile } from 'node:fs/promises'
import { IntColumn } from './int-column'

export interface HostRecords {
  /** seq → how many times a host recorded completing it. */
  readonly timesExecuted: IntColumn
  /** seq → the saga id its record line names (0: none). */
  readonly sagaOfRecord: IntColumn
  /** saga id → how many record lines name it, over all hosts. */
  readonly timesCompleted: IntColumn
  /** seq → the host index (1-based) that recorded it first. */
  readonly executedBy: IntColumn
  /** Lines recorded, over all hosts. */
  lines: number
  /** Hosts that left a record file (a host killed before its first batch has none). */
  files: number
  /** A last line without its `\n` (a write cut short); should never happen with appendFileSync. */
  partialLines: number
}

/** Reads each host's HOSTPIPE_RECORD file (`<seq> <saga_id>` per completed command). */
export async function readHostRecords(paths: readonly string[]): Promise<HostRecords> {
  const records: HostRecords = {
    timesExecuted: new IntColumn(),
    sagaOfRecord: new IntColumn(),
    timesCompleted: new IntColumn(),
    executedBy: new IntColumn(),
    lines: 0,
    files: 0,
    partialLines: 0,
  }
  for (const [i, path] of paths.entries()) {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw err
    }
    records.files++
    const lines = text.split('\n')
    if (lines.at(-1) !== '') records.partialLines++
    lines.pop()
    for (const line of lines) {
      const m = /^(\d+) (\d+)$/.exec(line)
      const seq = Number(m?.[1])
      const sagaId = Number(m?.[2])
      if (!m || !Number.isSafeInteger(seq) || seq < 1 || !Number.isSafeInteger(sagaId))
        throw new Error(`${path}: not a "<seq> <saga_id>" line: ${JSON.stringify(line)}`)
      records.lines++
      if (records.timesExecuted.add(seq) === 1) records.executedBy.set(seq, i + 1)
      records.sagaOfRecord.set(seq, sagaId)
      if (sagaId !== 0) records.timesCompleted.add(sagaId)
    }
  }
  return records
}
