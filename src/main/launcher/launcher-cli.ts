import { parseArgs } from 'node:util'
import type { TransportKind } from '../../shared/diagnostics'
import type { CommandDefinitions } from '../../shared/define-commands'
import type { AppLauncherOptions } from './launcher-api'

/** The flags of both launchers (headless and Electron): same names, same meanings. */
export interface LauncherCliOptions {
  transport: TransportKind
  /** Forwarded to each host as `--host-delay-ms N`. */
  hostDelayMs?: number
  sagaTimeoutMs?: number
  maxRestarts?: number
  /** `--standby N`: warm standby hosts; 0 turns standby off. */
  standby?: number
  /** `--hosts N`: active hosts in the pool (at least 1). */
  hosts?: number
  /** `--unresponsive-ms N` (docs/protocol.md#liveness); 0 turns liveness off. */
  unresponsiveMs?: number
  /** Headless only: the diagnostics server's port; 0 picks a free one. */
  port?: number
}

export type LauncherCliResult = { ok: true; options: LauncherCliOptions } | { ok: false; error: string }

const INTEGER_FLAGS = [
  ['host-delay-ms', 'hostDelayMs'],
  ['saga-timeout-ms', 'sagaTimeoutMs'],
  ['max-restarts', 'maxRestarts'],
  ['standby', 'standby'],
  ['hosts', 'hosts'],
  ['unresponsive-ms', 'unresponsiveMs'],
  ['port', 'port'],
] as const

/**
 * Parses launcher flags. `strict` refuses unknown flags and positionals (the headless CLI); the
 * Electron app passes false because Chromium and Electron add switches of their own.
 */
export function parseLauncherArgs(
  args: readonly string[],
  { strict, acceptsPort }: { strict: boolean; acceptsPort: boolean },
): LauncherCliResult {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: [...args],
      strict,
      allowPositionals: !strict,
      options: {
        transport: { type: 'string' },
        'host-delay-ms': { type: 'string' },
        'saga-timeout-ms': { type: 'string' },
        'max-restarts': { type: 'string' },
        standby: { type: 'string' },
        hosts: { type: 'string' },
        'unresponsive-ms': { type: 'string' },
        ...(acceptsPort ? { port: { type: 'string' as const } } : {}),
      },
    }).values as Record<string, string | boolean | undefined>
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) }
  }

  const transport = values.transport ?? 'pipe'
  if (transport !== 'pipe' && transport !== 'port')
    return { ok: false, error: `--transport must be "pipe" or "port", got ${JSON.stringify(transport)}` }
  const options: LauncherCliOptions = { transport }
  for (const [flag, key] of INTEGER_FLAGS) {
    // Without `port` among the options, a lax parse still collects `--port` as an unknown switch.
    if (flag === 'port' && !acceptsPort) continue
    const raw = values[flag]
    if (raw === undefined) continue
    const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN
    // A pool of no hosts could serve nothing: `--hosts` alone starts at 1.
    const least = flag === 'hosts' ? 1 : 0
    if (!Number.isSafeInteger(n) || n < least) {
      const kind = least === 1 ? 'a positive integer' : 'a non-negative integer'
      return { ok: false, error: `--${flag} must be ${kind}, got ${JSON.stringify(raw)}` }
    }
    if (flag === 'port' && n > 65535) return { ok: false, error: `--port must be at most 65535, got ${n}` }
    options[key] = n
  }
  return { ok: true, options }
}

/** Host argv for the parsed options. */
export function hostArgsOf(options: LauncherCliOptions): string[] {
  return options.hostDelayMs === undefined ? [] : ['--host-delay-ms', String(options.hostDelayMs)]
}

/** The launcher options the flags set; `hostEntry`, `commands` and `log` are the app's own. */
export type LauncherFlagOptions = Pick<
  AppLauncherOptions<CommandDefinitions>,
  'transport' | 'hostArgs' | 'sagaTimeoutMs' | 'maxRestarts' | 'standby' | 'hosts' | 'unresponsiveMs'
>

/**
 * Maps the parsed flags to launcher options, for both entries (`createLauncher` headless,
 * `createElectronLauncher`): a flag left out stays undefined, so the launcher's default applies.
 * `port` is not among them: it belongs to the headless diagnostics server.
 */
export function launcherOptionsOf(options: LauncherCliOptions): LauncherFlagOptions {
  return {
    transport: options.transport,
    hostArgs: hostArgsOf(options),
    sagaTimeoutMs: options.sagaTimeoutMs,
    maxRestarts: options.maxRestarts,
    standby: options.standby,
    hosts: options.hosts,
    unresponsiveMs: options.unresponsiveMs,
  }
}
