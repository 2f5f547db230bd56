import { readFile } from 'node:fs/promises'
import { IntColumn } from './int-column'

export interface HostRecords {
  /** seq → how many times a host recorded executing it. */
  readonly timesExecuted: IntColumn
  /** seq → the host index (1-based) that recorded it first. */
  readonly executedBy: IntColumn
  /** Lines recorded, over all hosts. */
  lines: number
  /** Hosts that left a record file (a host killed before its first batch has none). */
  files: number
  /** A last line without its `\n` (a write cut short); should never happen with appendFileSync. */
  partialLines: number
}

/** Reads each host's HOSTPIPE_RECORD file (one executed seq per line). */
export async function readHostRecords(paths: readonly string[]): Promise<HostRecords> {
  const records: HostRecords = {
    timesExecuted: new IntColumn(),
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
      const seq = Number(line)
      if (!Number.isSafeInteger(seq) || seq < 1)
        throw new Error(`${path}: not a seq: ${JSON.stringify(line)}`)
      records.lines++
      if (records.timesExecuted.add(seq) === 1) records.executedBy.set(seq, i + 1)
    }
  }
  return records
}
