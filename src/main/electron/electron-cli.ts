import { parseArgs } from 'node:util'
import type { TransportKind } from '../../shared/diagnostics'

/** The Electron app's flags; the same names and meanings as the headless launcher's. */
export interface ElectronCliOptions {
  transport: TransportKind
  /** Forwarded to each host as `--host-delay-ms N`. */
  hostDelayMs?: number
  sagaTimeoutMs?: number
  maxRestarts?: number
}

export type ElectronCliResult = { ok: true; options: ElectronCliOptions } | { ok: false; error: string }

/**
 * Parses the app's own flags out of `args` (argv without the executable and app path).
 * Unknown flags are left alone: Chromium and Electron add switches of their own.
 */
export function parseElectronArgs(args: readonly string[]): ElectronCliResult {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: [...args],
      strict: false,
      allowPositionals: true,
      options: {
        transport: { type: 'string' },
        'host-delay-ms': { type: 'string' },
        'saga-timeout-ms': { type: 'string' },
        'max-restarts': { type: 'string' },
      },
    }).values as Record<string, string | boolean | undefined>
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) }
  }

  const transport = values.transport ?? 'pipe'
  if (transport !== 'pipe' && transport !== 'port') {
    return { ok: false, error: `--transport must be "pipe" or "port", got ${JSON.stringify(transport)}` }
  }
  const options: ElectronCliOptions = { transport }
  for (const [flag, key] of [
    ['host-delay-ms', 'hostDelayMs'],
    ['saga-timeout-ms', 'sagaTimeoutMs'],
    ['max-restarts', 'maxRestarts'],
  ] as const) {
    const raw = values[flag]
    if (raw === undefined) continue
    const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN
    if (!Number.isSafeInteger(n)) {
      return { ok: false, error: `--${flag} must be a non-negative integer, got ${JSON.stringify(raw)}` }
    }
    options[key] = n
  }
  return { ok: true, options }
}

/** The argv an Electron app sees after the executable (and, unpackaged, the app path). */
export function appArgs(argv: readonly string[], isPackaged: boolean): string[] {
  return argv.slice(isPackaged ? 1 : 2)
}
