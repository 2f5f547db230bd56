import type { TransportKind } from '../../shared/diagnostics'

/** Reported as `version` in the host's `register`. */
export const HOST_VERSION = '0.1.0'

/** How a host process was asked to run, from its environment and argv. */
export interface HostConfig {
  transport: TransportKind
  /** HOSTPIPE_PIPE: the launcher's socket (pipe transport). */
  pipePath: string | undefined
  /** HOSTPIPE_PORT_FD: an inherited socket carrying NDJSON (port transport under plain Node). */
  portFd: number | undefined
  /** HOSTPIPE_TOKEN: the per-launch secret sent in `register`. */
  token: string
  /** `--host-delay-ms N`: how long each command takes. */
  delayMs: number
  /** HOSTPIPE_RECORD: a file that gets `<seq> <saga_id>` per completed command, one per line. */
  recordPath: string | undefined
  /** HOSTPIPE_DEBUG=1: debug lines on stderr. */
  isDebug: boolean
  /** HOSTPIPE_SPAWN_ID: echoed as `spawn_id` in `register`, so the launcher knows its own process. */
  spawnId: string | undefined
  /** HOSTPIPE_ROLE: `standby` for a warm standby (sent as `register.role`); unset for the active host. */
  role: 'standby' | undefined
}

/**
 * Reads the config; throws with a message naming the bad setting. Without HOSTPIPE_TRANSPORT the
 * transport is `pipe`, unless no HOSTPIPE_PIPE was given and the host has a port channel (a
 * parent port or an IPC channel): a spawner that hands over a port need not also say so in env.
 */
export function parseHostConfig(
  env: NodeJS.ProcessEnv,
  argv: readonly string[],
  hasPortChannel = false,
): HostConfig {
  const transport = env.HOSTPIPE_TRANSPORT || (!env.HOSTPIPE_PIPE && hasPortChannel ? 'port' : 'pipe')
  if (transport !== 'pipe' && transport !== 'port')
    throw new Error(`HOSTPIPE_TRANSPORT must be "pipe" or "port", got ${JSON.stringify(transport)}`)
  const pipePath = env.HOSTPIPE_PIPE || undefined
  if (transport === 'pipe' && !pipePath)
    throw new Error('HOSTPIPE_PIPE must name the launcher socket (pipe transport)')
  return {
    transport,
    pipePath,
    portFd: parsePortFd(env.HOSTPIPE_PORT_FD),
    token: env.HOSTPIPE_TOKEN ?? '',
    delayMs: parseDelay(argv),
    recordPath: env.HOSTPIPE_RECORD || undefined,
    isDebug: env.HOSTPIPE_DEBUG === '1',
    spawnId: env.HOSTPIPE_SPAWN_ID || undefined,
    role: parseRole(env.HOSTPIPE_ROLE),
  }
}

function parsePortFd(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined
  const fd = Number(raw)
  // 0-2 are stdio: a channel there would mix with the host's output.
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(fd) || fd < 3)
    throw new Error(
      `HOSTPIPE_PORT_FD must be an integer ≥ 3 (an inherited socket), got ${JSON.stringify(raw)}`,
    )
  return fd
}

function parseRole(raw: string | undefined): 'standby' | undefined {
  if (!raw) return undefined
  if (raw === 'standby') return raw
  throw new Error(`HOSTPIPE_ROLE must be "standby" or unset, got ${JSON.stringify(raw)}`)
}

function parseDelay(argv: readonly string[]): number {
  let raw: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--host-delay-ms') raw = argv[++i] ?? ''
    else if (arg.startsWith('--host-delay-ms=')) raw = arg.slice('--host-delay-ms='.length)
  }
  if (raw === undefined) return 0
  const ms = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(ms) || ms < 0)
    throw new Error(`--host-delay-ms must be a non-negative integer, got ${JSON.stringify(raw)}`)
  return ms
}
