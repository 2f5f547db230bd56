import { checkInspectorPort } from './inspector-flags'

/** How every host of a launch is started beyond its entry and argv: the app's spawn options. */
export interface HostSpawnSettings {
  /** Node flags, before the host's entry. */
  execArgv?: readonly string[]
  /** Variables over the launcher's own environment, under its HOSTPIPE_* ones. */
  env?: Readonly<Record<string, string>>
  /** The working directory. */
  cwd?: string
}

/** The options `checkSpawnOptions` reads, as an app gives them (unchecked). */
export interface SpawnOptionsInput {
  execArgv?: unknown
  env?: unknown
  cwd?: unknown
  /** Active hosts (`hosts`, default 1). */
  hosts?: unknown
  /** Warm standbys (`standby`, its default when undefined). */
  standby?: unknown
}

/**
 * The app's `execArgv`, `env` and `cwd`, checked and copied (a later change to the app's arrays
 * does not reach the hosts). Throws a TypeError naming the option when one has the wrong shape,
 * and when `execArgv` fixes the inspector port while more than one host runs at once (see
 * checkInspectorPort; `hosts` counts 1 and `standby` `defaultStandby` unless they are numbers).
 */
export function checkSpawnOptions(opts: SpawnOptionsInput, defaultStandby: number): HostSpawnSettings {
  const settings: HostSpawnSettings = {}
  const { execArgv, env, cwd } = opts
  if (execArgv !== undefined) {
    if (!Array.isArray(execArgv) || !execArgv.every((a) => typeof a === 'string'))
      throw new TypeError(`execArgv must be an array of strings, got ${valueText(execArgv)}`)
    settings.execArgv = [...(execArgv as string[])]
  }
  if (env !== undefined) {
    if (env === null || typeof env !== 'object' || Array.isArray(env))
      throw new TypeError(`env must be an object of string values, got ${valueText(env)}`)
    const copy: Record<string, string> = {}
    for (const [name, value] of Object.entries(env)) {
      if (typeof value !== 'string')
        throw new TypeError(`env.${name} must be a string, got ${valueText(value)}`)
      copy[name] = value
    }
    settings.env = copy
  }
  if (cwd !== undefined) {
    if (typeof cwd !== 'string' || cwd === '')
      throw new TypeError(`cwd must be a non-empty string (a directory), got ${valueText(cwd)}`)
    settings.cwd = cwd
  }
  const hosts = typeof opts.hosts === 'number' ? opts.hosts : 1
  const standby = typeof opts.standby === 'number' ? opts.standby : defaultStandby
  checkInspectorPort(settings.execArgv ?? [], hosts, standby)
  return settings
}

/**
 * The `hostEntry` option, checked: a non-empty file path. Throws a TypeError for anything else,
 * saying how to turn a `file:` URL (`new URL('./host.js', import.meta.url)`, a common slip) into
 * the path the launcher needs. A relative path is left as it is (resolved against the cwd).
 */
export function checkHostEntry(hostEntry: unknown): string {
  const fix = 'pass fileURLToPath(url) from node:url'
  if (hostEntry instanceof URL)
    throw new TypeError(`hostEntry must be a file path (a string), got the URL ${hostEntry.href}: ${fix}`)
  if (typeof hostEntry !== 'string' || hostEntry === '')
    throw new TypeError(
      `hostEntry must be the path of the host's built .js file (a non-empty string), got ${valueText(hostEntry)}`,
    )
  if (/^file:/i.test(hostEntry))
    throw new TypeError(`hostEntry must be a file path, not a file: URL, got ${hostEntry}: ${fix}`)
  return hostEntry
}

/**
 * The Electron `serviceName` option, checked: each host's is it plus `-<slot>-<n>`. Throws a
 * TypeError when it is not a non-empty string.
 */
export function checkServiceName(serviceName: unknown, fallback: string): string {
  if (serviceName === undefined) return fallback
  if (typeof serviceName !== 'string' || serviceName === '')
    throw new TypeError(`serviceName must be a non-empty string, got ${valueText(serviceName)}`)
  return serviceName
}

function valueText(value: unknown): string {
  if (value === undefined) return 'undefined'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
