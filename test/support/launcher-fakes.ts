import type { Disposable } from '../../src/main/base/disposable'
import { Emitter } from '../../src/main/base/emitter'
import type {
  HostExitInfo as ExitInfo,
  HostProcess,
  HostSpawner,
  SpawnHostOptions,
} from '../../src/main/launcher/host-spawner'

/** A host process that exits only when a test says so (as a real one: after a signal, later). */
export class FakeHostProcess implements HostProcess {
  readonly signals: Array<'SIGTERM' | 'SIGKILL'> = []
  readonly connection = undefined
  private readonly didExit = new Emitter<ExitInfo>()
  hasExited = false

  constructor(
    readonly pid: number,
    readonly options: SpawnHostOptions,
  ) {}

  kill(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): boolean {
    if (this.hasExited) return false
    this.signals.push(signal)
    return true
  }

  onExit(fn: (info: ExitInfo) => void): Disposable {
    return this.didExit.event(fn)
  }

  /** The process ends. By default as the last signal it got would end it. */
  exit(info?: Partial<ExitInfo>): void {
    if (this.hasExited) throw new Error(`fake host ${this.pid} exited twice`)
    this.hasExited = true
    const signal = info?.signal !== undefined ? info.signal : (this.signals.at(-1) ?? null)
    const code = info?.code !== undefined ? info.code : signal ? null : 0
    const full: ExitInfo = { code, signal, crashed: info?.crashed ?? !(code === 0 && signal === null) }
    this.didExit.fire(full)
  }
}

/** Records every spawn; `failNext` makes the next spawn throw (e.g. a missing host entry). */
export class FakeSpawner implements HostSpawner {
  readonly spawned: FakeHostProcess[] = []
  failNext = 0
  private nextPid = 4000

  spawn(opts: SpawnHostOptions): HostProcess {
    if (this.failNext > 0) {
      this.failNext--
      throw new Error('spawn ENOENT')
    }
    const host = new FakeHostProcess(this.nextPid++, opts)
    this.spawned.push(host)
    return host
  }

  /** The most recent host. */
  get last(): FakeHostProcess {
    const host = this.spawned.at(-1)
    if (!host) throw new Error('no host was spawned')
    return host
  }
}
