import { utilityProcess } from 'electron'
import type { Logger } from '../base/logger'
import type { FrameConnection } from '../ipc/frame-connection'
import {
  checkHostCwd,
  hostEnvironment,
  type HostProcess,
  type HostSpawner,
  type SpawnHostOptions,
} from '../launcher/host-spawner'
import { hostServiceName, type HostExitTracker } from './host-exit-tracker'
import { connectHostPort } from './host-port-handoff'
import { UtilityHostProcess } from './utility-host-process'

export interface ElectronHostSpawnerOptions {
  /** out/main/host.js */
  hostPath: string
  /** Fed by `app.on('child-process-gone')`; decides when each host has exited. */
  exits: HostExitTracker
  log: Logger
  /** The host's stdout and stderr: `'log'` (default) line by line into `log`, or `'inherit'` or `'ignore'`. */
  output?: 'log' | 'inherit' | 'ignore'
  /** The environment hosts inherit; default process.env. */
  baseEnv?: Record<string, string | undefined>
  /** Each host's `serviceName` is this plus `-<slot>-<n>`. Default HOST_SERVICE_NAME. */
  serviceName?: string
}

/** Starts hosts with `utilityProcess.fork`, stdio piped into the log. */
export class ElectronHostSpawner implements HostSpawner {
  private spawned = 0

  constructor(private readonly opts: ElectronHostSpawnerOptions) {}

  spawn(opts: SpawnHostOptions): HostProcess {
    const { hostPath, exits, log } = this.opts
    const cwd = checkHostCwd(opts.cwd)
    const n = ++this.spawned
    // Unique per host: `child-process-gone` names the host it is about, active or standby.
    const serviceName = hostServiceName(n, opts.slot ?? 0, this.opts.serviceName)
    const child = utilityProcess.fork(hostPath, opts.args, {
      serviceName,
      stdio: (this.opts.output ?? 'log') === 'log' ? 'pipe' : this.opts.output,
      env: mergeEnv(this.opts.baseEnv ?? process.env, hostEnvironment(opts)),
      ...(opts.execArgv?.length ? { execArgv: [...opts.execArgv] } : {}),
      ...(cwd !== undefined ? { cwd } : {}),
    })
    let connection: FrameConnection | undefined
    if (opts.transport === 'port') connection = connectHostPort(child, `message port to host #${n}`)
    return new UtilityHostProcess(child, exits.track(serviceName), connection, log, { entry: hostPath })
  }
}

/** `base` without its undefined entries, overlaid with `extra`. */
export function mergeEnv(
  base: Record<string, string | undefined>,
  extra: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v
  return Object.assign(env, extra)
}
