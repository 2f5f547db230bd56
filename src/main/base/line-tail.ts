import { DisposableStore } from './disposable'
import { OnceEmitter } from './once-emitter'

/** Lines kept by default. */
export const TAIL_LINES = 20
/** Characters kept by default, all lines together. */
export const TAIL_CHARS = 4096

/**
 * The last lines of a stream (a host's stderr, for the error that says why it did not start):
 * at most `maxLines` lines and `maxChars` characters in all, whatever is pushed. A line longer
 * than `maxChars` keeps its end.
 */
export class LineTail {
  private lines: string[] = []
  private chars = 0

  constructor(
    private readonly maxLines = TAIL_LINES,
    private readonly maxChars = TAIL_CHARS,
  ) {}

  push(line: string): void {
    const kept = line.length > this.maxChars ? line.slice(line.length - this.maxChars) : line
    this.lines.push(kept)
    this.chars += kept.length
    while (this.lines.length > this.maxLines || this.chars > this.maxChars)
      this.chars -= this.lines.shift()!.length
  }

  /** The lines kept, oldest first (a copy). */
  snapshot(): string[] {
    return [...this.lines]
  }
}

/** How long after its exit a process's stderr may take to end before its tail is read anyway (ms). */
export const STDERR_END_WAIT_MS = 200

/**
 * The last lines of a host process's stderr (a LineTail), for the HostStartError that says why it
 * did not start. `read` waits for the stream to end, or STDERR_END_WAIT_MS after the process
 * exited, whichever comes first: a grandchild holding the stream open must not hold the caller.
 */
export class StderrTail {
  private readonly lines = new LineTail()
  private readonly ended = new OnceEmitter<void>()
  private readonly exited = new OnceEmitter<void>()

  push(line: string): void {
    this.lines.push(line)
  }

  /** The stream ended (or closed): `read` resolves at once. */
  noteEnded(): void {
    this.ended.fire()
  }

  /** The process exited: `read` resolves once the stream ends, or STDERR_END_WAIT_MS later. */
  noteExited(): void {
    this.exited.fire()
  }

  /** The lines kept, oldest first, once the stream has ended or shortly after the exit. */
  read(): Promise<readonly string[]> {
    return new Promise((resolve) => {
      const subscriptions = new DisposableStore()
      let timer: ReturnType<typeof setTimeout> | undefined
      const done = (): void => {
        clearTimeout(timer)
        subscriptions.dispose()
        resolve(this.lines.snapshot())
      }
      subscriptions.add(
        this.exited.event(() => {
          timer ??= setTimeout(done, STDERR_END_WAIT_MS)
          timer.unref?.()
        }),
      )
      subscriptions.add(this.ended.event(done))
    })
  }
}
