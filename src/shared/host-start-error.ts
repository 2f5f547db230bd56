/**
 * Why no host could be started (docs/launcher.md#start-failures):
 * - `ENTRY_NOT_FOUND`: the host entry file does not exist (checked before spawning);
 * - `SPAWN_FAILED`: the process could not be started at all (e.g. the runtime refused it);
 * - `EXITED`: the host exited before registering, on every start until the launcher gave up
 *   (a syntax error, a throw at import, a `.ts` entry Node cannot run);
 * - `NOT_REGISTERED`: the host kept running without registering (it never calls `runHost`) and
 *   was killed each time, until the launcher gave up;
 * - `START_TIMEOUT`: no host registered within the launcher's `startTimeoutMs`.
 */
export type HostStartErrorCode =
  'ENTRY_NOT_FOUND' | 'SPAWN_FAILED' | 'EXITED' | 'NOT_REGISTERED' | 'START_TIMEOUT'

/** What is known of the last host that failed to start. */
export interface HostStartDetails {
  /** The host entry file, when the spawner knows it. */
  entry?: string
  /** Its exit code, or null (killed by a signal, or still running). */
  exitCode?: number | null
  /** The signal that ended it, or null. */
  signal?: string | null
  /** The last lines it wrote to stderr (at most 20 lines, 4 KiB), oldest first. */
  stderrTail?: readonly string[]
}

/**
 * `start()` failed: no host registered. `message` names the entry, how the host ended and its
 * last stderr lines, so the cause is readable without a logger.
 * @category Errors
 */
export class HostStartError extends Error {
  override readonly name = 'HostStartError'
  readonly entry: string | undefined
  readonly exitCode: number | null
  readonly signal: string | null
  readonly stderrTail: readonly string[]

  constructor(
    readonly code: HostStartErrorCode,
    /** What went wrong, without the details (they are appended). */
    summary: string,
    details: HostStartDetails = {},
  ) {
    super(describe(summary, details))
    this.entry = details.entry
    this.exitCode = details.exitCode ?? null
    this.signal = details.signal ?? null
    this.stderrTail = details.stderrTail ?? []
  }
}

const TYPESCRIPT_ENTRY = /\.(c|m)?tsx?$/

function describe(summary: string, d: HostStartDetails): string {
  const parts = [summary]
  // A summary that names the entry already (ENTRY_NOT_FOUND) is not followed by it again.
  if (d.entry !== undefined && !summary.includes(d.entry)) parts.push(`host entry: ${d.entry}`)
  if (d.signal) parts.push(`the host was ended by ${d.signal}`)
  else if (d.exitCode !== undefined && d.exitCode !== null)
    parts.push(`the host exited with code ${d.exitCode}`)
  if (d.entry !== undefined && TYPESCRIPT_ENTRY.test(d.entry))
    parts.push(
      'Node cannot run a TypeScript entry: build it to JavaScript first and point hostEntry at the .js file',
    )
  let message = parts.join('; ')
  if (d.stderrTail && d.stderrTail.length > 0)
    message += `\nlast lines of the host's stderr:\n${d.stderrTail.map((l) => `  ${l}`).join('\n')}`
  return message
}
