import { DEFAULT_STREAM_WINDOW, formatBytes, MAX_PAYLOAD_BYTES_LIMIT } from '../../shared/protocol'
import { DEFAULT_STANDBY } from './launcher'
import { HOST_OUTPUTS, type HostOutput } from './launcher-api'
import {
  checkHostEntry,
  checkSpawnOptions,
  type HostSpawnSettings,
  type SpawnOptionsInput,
} from './spawn-options'

// The checks `createLauncher` and `createElectronLauncher` run on an app's options, once, when the
// launcher is made: apart from app-launcher.ts because a call never comes here.

/** The options an app launcher reads itself, checked, with their defaults. */
export interface CheckedAppLauncherOptions {
  readonly hostOutput: HostOutput
  /** Undefined keeps the launcher's default. */
  readonly maxPayloadBytes: number | undefined
  /** Undefined keeps the launcher's default. */
  readonly maxQueuedBytes: number | undefined
  readonly streamWindow: number
  readonly hostSpawn: HostSpawnSettings
}

/**
 * Checks what an app launcher reads of its options. Throws a TypeError for a `hostEntry` that is
 * no file path (see checkHostEntry), a `streamWindow`, `hostOutput`, `maxPayloadBytes` or
 * `maxQueuedBytes` out of its range, and for bad spawn options (see checkSpawnOptions:
 * `execArgv`, `env`, `cwd`, a fixed inspector port).
 */
export function checkAppLauncherOptions(
  opts: SpawnOptionsInput & {
    hostEntry: unknown
    streamWindow?: unknown
    hostOutput?: unknown
    maxPayloadBytes?: unknown
    maxQueuedBytes?: unknown
  },
): CheckedAppLauncherOptions {
  checkHostEntry(opts.hostEntry)
  const streamWindow = streamWindowOption(opts.streamWindow)
  const hostOutput = hostOutputOption(opts.hostOutput)
  const maxPayloadBytes = maxPayloadBytesOption(opts.maxPayloadBytes)
  const maxQueuedBytes = maxQueuedBytesOption(opts.maxQueuedBytes)
  const hostSpawn = checkSpawnOptions(opts, DEFAULT_STANDBY)
  return { hostOutput, maxPayloadBytes, maxQueuedBytes, streamWindow, hostSpawn }
}

/** `hostOutput`, checked; default `'log'`. */
function hostOutputOption(value: unknown): HostOutput {
  if (value === undefined) return 'log'
  if (HOST_OUTPUTS.includes(value as HostOutput)) return value as HostOutput
  throw new TypeError(`hostOutput must be one of ${HOST_OUTPUTS.join(', ')}, got ${JSON.stringify(value)}`)
}

/** `maxPayloadBytes`, checked; undefined keeps the launcher's default. */
function maxPayloadBytesOption(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 1024 &&
    value <= MAX_PAYLOAD_BYTES_LIMIT
  )
    return value
  throw new TypeError(
    `maxPayloadBytes must be an integer from 1,024 to ${formatBytes(MAX_PAYLOAD_BYTES_LIMIT)} (bytes), got ${String(value)}`,
  )
}

/** `maxQueuedBytes`, checked; undefined keeps the launcher's default. */
function maxQueuedBytesOption(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value
  throw new TypeError(`maxQueuedBytes must be a positive integer (bytes), got ${String(value)}`)
}

/** The most `streamWindow` may be: a window's chunks are buffered in each process. */
const MAX_STREAM_WINDOW = 65_536

/** `streamWindow`, checked; default DEFAULT_STREAM_WINDOW (16). */
function streamWindowOption(value: unknown): number {
  if (value === undefined) return DEFAULT_STREAM_WINDOW
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_STREAM_WINDOW)
    return value
  throw new TypeError(
    `streamWindow must be an integer from 1 to ${MAX_STREAM_WINDOW} (chunks), got ${String(value)}`,
  )
}
