import { join } from 'node:path'
import type { NodeHostSpawner } from '../../src/main/headless/node-host-spawner'
import type { HostProcess, HostSpawner, SpawnHostOptions } from '../../src/main/launcher/host-spawner'

export interface SpawnedHost {
  readonly index: number
  readonly process: HostProcess
  readonly pid: number | undefined
  /** This host's HOSTPIPE_RECORD file: the seqs it executed, one per line. */
  readonly recordPath: string
  readonly spawnedAt: number
  hasExited: boolean
}

/**
 * The real NodeHostSpawner, with one HOSTPIPE_RECORD file per host process, so the records show
 * which process executed which seq.
 */
export class RecordingSpawner implements HostSpawner {
  readonly hosts: SpawnedHost[] = []

  constructor(
    private readonly inner: NodeHostSpawner,
    private readonly recordDir: string,
    private readonly onSpawned: (host: SpawnedHost) => void = () => undefined,
  ) {}

  get latest(): SpawnedHost | undefined {
    return this.hosts.at(-1)
  }

  spawn(opts: SpawnHostOptions): HostProcess {
    const index = this.hosts.length + 1
    const recordPath = join(this.recordDir, `host-${index}.seqs`)
    const process = this.inner.spawn({ ...opts, env: { ...opts.env, HOSTPIPE_RECORD: recordPath } })
    const host: SpawnedHost = {
      index,
      process,
      pid: process.pid,
      recordPath,
      spawnedAt: performance.now(),
      hasExited: false,
    }
    process.onExit(() => (host.hasExited = true))
    this.hosts.push(host)
    this.onSpawned(host)
    return process
  }
}
