import type { Socket } from 'node:net'
import { Worker } from 'node:worker_threads'
import type { Logger } from '../base/logger'

/** The fastest a liveness worker reports, in ms, however small `unresponsiveMs` is. */
const MIN_REPORT_MS = 10

// Int32 slots shared by the main thread and the worker.
/** Bumped by the main thread on a timer: it moves only while the main event loop turns. */
const TURNS = 0
/** Who may write to the socket: FREE, MAIN or WORKER. */
const LOCK = 1
/** ms between reports while blocked (0 until `arm`); the worker waits on it to start. */
const REPORT_MS = 2
/** 1: the worker returns. */
const STOP = 3
const SLOTS = 4
const FREE = 0
const MAIN = 1

/**
 * The worker's code, run with `eval` (plain CommonJS, no imports of ours), so it survives every
 * bundler unchanged. It sleeps on Atomics (no event loop of its own), and writes a whole line
 * with `fs.writeSync` on the main thread's socket fd while it holds LOCK. The socket is
 * non-blocking: nothing written yet on EAGAIN means "try on the next round"; a line it has begun
 * is finished (or the worker gives up after a second, when the launcher is not reading anyway).
 */
const WORKER_SOURCE = `
const fs = require('node:fs')
const { workerData } = require('node:worker_threads')
const state = new Int32Array(workerData.buffer)
const [TURNS, LOCK, REPORT_MS, STOP, FREE, WORKER] = [${TURNS}, ${LOCK}, ${REPORT_MS}, ${STOP}, ${FREE}, 2]
const sleep = (ms) => Atomics.wait(state, STOP, 0, ms)

function writeLine(line) {
  if (Atomics.compareExchange(state, LOCK, FREE, WORKER) !== FREE) return false
  try {
    const bytes = Buffer.from(line + '\\n')
    const giveUpAt = Date.now() + 1000
    let offset = 0
    while (offset < bytes.length) {
      try {
        offset += fs.writeSync(workerData.fd, bytes, offset)
      } catch (err) {
        if (err.code !== 'EAGAIN' || offset === 0 || Date.now() > giveUpAt) return false
        sleep(1)
      }
    }
    return true
  } finally {
    Atomics.store(state, LOCK, FREE)
    Atomics.notify(state, LOCK)
  }
}
const report = (blockedMs) => writeLine('{"cmd":"report_main_thread","blocked_ms":' + blockedMs + '}')

Atomics.wait(state, REPORT_MS, 0)
const every = Atomics.load(state, REPORT_MS)
let seen = Atomics.load(state, TURNS)
let seenAt = Date.now()
let reportedAt = 0
let owesResume = false
while (every > 0 && Atomics.load(state, STOP) === 0) {
  sleep(every / 2)
  const now = Date.now()
  const turns = Atomics.load(state, TURNS)
  if (turns !== seen) {
    seen = turns
    seenAt = now
  }
  const blockedMs = now - seenAt
  if (blockedMs >= every) {
    if (now - reportedAt >= every && report(blockedMs)) {
      reportedAt = now
      owesResume = true
    }
  } else if (owesResume && report(0)) owesResume = false
}
`

/**
 * Answers for the host while its main thread is blocked (docs/protocol.md#liveness): a worker
 * thread that watches the main event loop turn and, once it has not turned for
 * `unresponsiveMs / 5`, writes `report_main_thread{blocked_ms}` on the launcher connection
 * itself, again every `unresponsiveMs / 5` while the block lasts, and `blocked_ms: 0` once the
 * loop turns again. The launcher probes a silent host at N/2 and kills it at N, and the silence
 * may have started up to N/2 before the block did; the first report comes within 0.3 N of it.
 *
 * Both threads write the same socket fd, whole lines only, under a lock in shared memory:
 * - the main thread takes LOCK before every `socket.write` and keeps it until Node has handed
 *   every byte to the kernel (`writableLength` 0: at once for a write the kernel takes whole,
 *   else when libuv has finished the rest). A line the kernel took in part is never followed by
 *   the worker's bytes;
 * - the worker takes LOCK only when it is FREE, writes one whole line with `writeSync`, and
 *   frees it. The main thread waits for that (microseconds) rather than skipping.
 * The worker never reads: the main thread keeps the only reader, so frames from the launcher
 * are never split between two readers, and the worker needs no probe to speak (it cannot see
 * one while the main thread is blocked).
 *
 * A socket write still in progress when the main thread blocks (the launcher stopped reading)
 * holds LOCK for the block: the worker stays quiet, and the host is judged as before.
 */
export class LivenessWorker {
  private readonly state = new Int32Array(new SharedArrayBuffer(SLOTS * 4))
  /** Started once the host has registered (`arm`): no thread is made before `register` is out. */
  private worker: Worker | undefined
  private readonly write: Socket['write']
  private isLockHeld = false
  private flushTimer: ReturnType<typeof setTimeout> | undefined
  private turnTimer: ReturnType<typeof setInterval> | undefined
  private isDisposed = false

  /**
   * The worker for `socket` (its fd is written by both threads), started by `arm` once the host
   * has registered, so no thread is made before `register` is out. Undefined when the socket has
   * no fd: the host then goes without the feature.
   */
  static start(socket: Socket, log: Logger): LivenessWorker | undefined {
    const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd
    if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) return undefined
    try {
      return new LivenessWorker(socket, fd, log)
    } catch (err) {
      log.warn(`no liveness worker: ${err instanceof Error ? err.message : String(err)}`)
      return undefined
    }
  }

  private constructor(
    private readonly socket: Socket,
    private readonly fd: number,
    private readonly log: Logger,
  ) {
    this.write = socket.write
  }

  /**
   * Starts watching, paced by the launcher's `unresponsiveMs` (from `registered`). Once only;
   * 0 (liveness off) starts nothing.
   */
  arm(unresponsiveMs: number): void {
    if (this.isDisposed || this.turnTimer !== undefined || unresponsiveMs <= 0) return
    try {
      this.startWorker()
    } catch (err) {
      // Without its worker the host is judged by its silence alone, as a host without the feature.
      this.log.warn(`no liveness worker: ${err instanceof Error ? err.message : String(err)}`)
      this.dispose()
      return
    }
    const every = Math.max(MIN_REPORT_MS, Math.floor(unresponsiveMs / 5))
    this.turnTimer = setInterval(() => Atomics.add(this.state, TURNS, 1), every / 4)
    this.turnTimer.unref()
    Atomics.store(this.state, REPORT_MS, every)
    Atomics.notify(this.state, REPORT_MS)
  }

  /** Starts the thread and guards the socket's writes from now on (see the class comment). */
  private startWorker(): void {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { buffer: this.state.buffer, fd: this.fd },
    })
    this.worker.unref()
    this.worker.on('error', (err) => this.log.warn(`liveness worker failed: ${err.message}`))
    // A closed socket's fd number may be reused by the next file opened: stop writing it then
    // ('close' comes one loop turn after the fd is closed; the host exits on it anyway).
    this.socket.once('close', () => this.dispose())
    const write = this.write as (...args: unknown[]) => boolean
    this.socket.write = ((...args: unknown[]): boolean => {
      this.lockForMain()
      try {
        return write.apply(this.socket, args)
      } finally {
        this.unlockWhenFlushed()
      }
    }) as Socket['write']
  }

  /** Stops the worker and gives the socket its own `write` back. Idempotent. */
  dispose(): void {
    if (this.isDisposed) return
    this.isDisposed = true
    clearInterval(this.turnTimer)
    clearTimeout(this.flushTimer)
    Atomics.store(this.state, STOP, 1)
    Atomics.notify(this.state, STOP)
    Atomics.notify(this.state, REPORT_MS)
    this.socket.write = this.write
    void this.worker?.terminate()
  }

  private lockForMain(): void {
    if (this.isLockHeld) return
    while (Atomics.compareExchange(this.state, LOCK, FREE, MAIN) !== FREE)
      Atomics.wait(this.state, LOCK, Atomics.load(this.state, LOCK), 1)
    this.isLockHeld = true
  }

  private unlockWhenFlushed(): void {
    if (!this.isLockHeld || this.flushTimer !== undefined) return
    if (this.socket.writableLength === 0 || this.socket.destroyed) {
      this.isLockHeld = false
      Atomics.store(this.state, LOCK, FREE)
      return
    }
    // libuv finishes the write on a later turn: look again then.
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined
      this.unlockWhenFlushed()
    }, 1)
  }
}
