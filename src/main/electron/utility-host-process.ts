import type { Disposable } from '../base/disposable'
import { StderrTail } from '../base/line-tail'
import type { Logger } from '../base/logger'
import type { FrameConnection } from '../ipc/frame-connection'
import type { HostExitInfo, HostProcess } from '../launcher/host-spawner'
import type { TrackedHost } from './host-exit-tracker'
import { logHostOutput, type ReadableLike } from './host-output-logger'

/** The part of Electron's UtilityProcess a host process uses (a fake in tests). */
export interface UtilityProcessLike {
  readonly pid: number | undefined
  readonly stdout: ReadableLike | null
  readonly stderr: ReadableLike | null
  kill(): boolean
  on(event: 'spawn', listener: () => void): unknown
  on(event: 'exit', listener: (code: number) => void): unknown
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown
}

/** Sends a signal to a pid; `process.kill` in production. */
export type KillPid = (pid: number, signal: 'SIGTERM' | 'SIGKILL') => void

export interface UtilityHostProcessOptions {
  /** The entry file it runs, named by HostStartError. */
  entry?: string
  /** Default `process.kill`. */
  killPid?: KillPid
}

/**
 * A host running under `utilityProcess.fork`, as the launcher's HostProcess. Exit notification
 * comes from the HostExitTracker (fed by `child-process-gone` and `exit`), exactly once.
 */
export class UtilityHostProcess implements HostProcess {
  readonly entry: string | undefined
  private lastPid: number | undefined
  private readonly stopLogging: Array<() => void> = []
  private readonly killPid: KillPid
  private readonly stderrLines = new StderrTail()

  constructor(
    private readonly child: UtilityProcessLike,
    private readonly tracked: TrackedHost,
    readonly connection: FrameConnection | undefined,
    private readonly log: Logger,
    opts: UtilityHostProcessOptions = {},
  ) {
    this.entry = opts.entry
    this.killPid = opts.killPid ?? ((pid, signal) => process.kill(pid, signal))
    this.lastPid = child.pid
    child.on('spawn', () => {
      this.lastPid = child.pid
      log.info(`host pid ${child.pid ?? '?'} spawned`)
    })
    child.on('exit', (code) => tracked.noteExitEvent(code))
    child.on('error', (type, location) => log.error(`host pid ${this.pid ?? '?'} ${type} at ${location}`))
    // The prefix is read per line: the pid is only known once the process has spawned.
    if (child.stdout)
      this.stopLogging.push(logHostOutput(child.stdout, (l) => log.info(`${this.prefix()} ${l}`)))
    if (child.stderr) {
      const stderr = child.stderr
      this.stopLogging.push(
        logHostOutput(stderr, (l) => {
          this.stderrLines.push(l)
          log.warn(`${this.prefix()} ${l}`)
        }),
      )
      stderr.on('end', () => this.stderrLines.noteEnded())
    } else this.stderrLines.noteEnded()
    tracked.onFinal((info) => this.handleFinal(info))
  }

  /** Electron clears `pid` once the process has exited; the launcher may still want to log it. */
  get pid(): number | undefined {
    return this.child.pid ?? this.lastPid
  }

  kill(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): boolean {
    if (this.tracked.hasExited) return false
    this.tracked.noteKill(signal)
    const pid = this.child.pid
    // UtilityProcess.kill() only ever sends SIGTERM (and waits to reap); SIGKILL needs the pid.
    if (signal === 'SIGKILL' && pid !== undefined) {
      try {
        this.killPid(pid, 'SIGKILL')
        return true
      } catch (err) {
        this.log.warn(`SIGKILL to host pid ${pid} failed, falling back to kill(): ${String(err)}`)
      }
    }
    return this.child.kill()
  }

  onExit(fn: (info: HostExitInfo) => void): Disposable {
    return this.tracked.onFinal(fn)
  }

  /** The last lines of its stderr (see StderrTail); none when its output is not piped (`'inherit'`, `'ignore'`). */
  stderrTail(): Promise<readonly string[]> {
    return this.stderrLines.read()
  }

  private prefix(): string {
    return `[host ${this.pid ?? '?'}]`
  }

  private handleFinal(info: HostExitInfo): void {
    // The port must not be posted to once the host is gone.
    this.connection?.close()
    this.stderrLines.noteExited()
    // A crash trace may still be in the pipe: reading goes on until stderr ends, or briefly after.
    void this.stderrLines.read().then(() => {
      for (const stop of this.stopLogging.splice(0)) stop()
    })
    const how = info.signal ? `signal ${info.signal}` : `code ${info.code ?? '?'}`
    const line = `host pid ${this.pid ?? '?'} exited (${how}${info.crashed ? ', crashed' : ''})`
    if (info.crashed) this.log.warn(line)
    else this.log.info(line)
  }
}
