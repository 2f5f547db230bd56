import { execFile, execFileSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, open, openSync, rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from '../base/logger'

/**
 * One read buffer for every host's output. `onread` callbacks run on the main thread one at a
 * time and the bytes are consumed before the callback returns, so sharing it is safe.
 */
const READ_BUFFER = new Uint8Array(64 * 1024)

/** A child's stdout or stderr, as the launcher reads it. */
export interface OutputChannel {
  /** The descriptor to give the child (in `spawn`'s `stdio`). */
  readonly childFd: number
  /** Delivers what the child writes, chunk by chunk (each valid only during the call), then `onEnd`. */
  read(onChunk: (bytes: Uint8Array) => void, onEnd: () => void): void
}

export interface OutputFifos {
  readonly channels: readonly OutputChannel[]
  /** The child has its copies of the write ends (it was spawned): close ours. Idempotent. */
  closeChildEnds(): void
  /** Gives up the channels (the spawn failed). */
  destroy(): void
}

/** FIFOs made and opened at both ends, before a child is spawned: descriptors only, no handles. */
export interface FifoPairs {
  readonly pairs: ReadonlyArray<{ readFd: number; writeFd: number }>
  /** Closes every descriptor (the pairs were never used). Idempotent. */
  close(): void
}

/**
 * Opens `count` output channels read into one reused buffer (`net.Socket`'s `onread`).
 *
 * Why not `stdio: 'pipe'`: Node reads a child's pipe into a fresh 64 KiB buffer per read, and V8
 * frees those only in batches (after some 32 MB of them); a host writing 1 GiB grew the launcher's
 * peak RSS by 33 to 53 MB that way, however little the reader kept. Node offers `onread` only for
 * sockets it opens itself, so each channel is a FIFO made in a private temporary directory (0700;
 * the FIFO 0600; the directory is removed at once, the descriptors stay open): the launcher opens
 * the read end, the child gets the write end. Measured peak growth for 1 GiB: about 5 MB.
 *
 * `prepared`: pairs made ahead of time by `prepareFifoPairs` (the spawner keeps one set spare);
 * without them the FIFOs are made here, synchronously (`mkfifo` runs as a child process: 3 to 5 ms
 * with the event loop blocked). Returns undefined where this cannot be done (Windows, no
 * `mkfifo`), and the caller falls back to pipes.
 */
export function openOutputFifos(count: number, log: Logger, prepared?: FifoPairs): OutputFifos | undefined {
  if (prepared && prepared.pairs.length === count) return fifosOf(prepared.pairs)
  prepared?.close()
  if (process.platform === 'win32') return undefined
  let dir: string | undefined
  const fds: number[] = []
  try {
    dir = mkdtempSync(join(tmpdir(), 'hostpipe-out-'))
    const paths = Array.from({ length: count }, (_, i) => join(dir!, `out-${i}`))
    execFileSync('mkfifo', ['-m', '600', ...paths], { stdio: 'ignore', timeout: 5000 })
    const pairs = paths.map((path) => {
      // The read end first, non-blocking, so opening the write end does not wait for a reader.
      const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
      fds.push(readFd)
      const writeFd = openSync(path, constants.O_WRONLY)
      fds.push(writeFd)
      return { readFd, writeFd }
    })
    return fifosOf(pairs)
  } catch (err) {
    for (const fd of fds) closeSync(fd)
    log.debug(`[host output] no FIFOs (${String(err)}); reading host output through pipes`)
    return undefined
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Makes `count` FIFO pairs without waiting for them on the event loop (only `mkfifo`'s fork runs
 * there), for a later `openOutputFifos`: a spawn right after a failover then costs its own fork. Resolves undefined where FIFOs cannot
 * be made (the spawn then falls back as `openOutputFifos` does). The descriptors are close-on-exec,
 * so no other child inherits them while they wait. The directory exists for the few ms between
 * `mkdtemp` and its removal, as on the synchronous path; a launcher SIGKILLed within them leaves
 * it behind (empty but for two FIFOs), as it could before.
 */
export async function prepareFifoPairs(count: number): Promise<FifoPairs | undefined> {
  if (process.platform === 'win32') return undefined
  const fds: number[] = []
  let dir: string | undefined
  try {
    dir = await mkdtemp(join(tmpdir(), 'hostpipe-out-'))
    const paths = Array.from({ length: count }, (_, i) => join(dir!, `out-${i}`))
    await new Promise<void>((resolve, reject) =>
      execFile('mkfifo', ['-m', '600', ...paths], { timeout: 5000 }, (err) =>
        err ? reject(err) : resolve(),
      ),
    )
    const pairs: Array<{ readFd: number; writeFd: number }> = []
    for (const path of paths) {
      const readFd = await openFd(path, constants.O_RDONLY | constants.O_NONBLOCK)
      fds.push(readFd)
      const writeFd = await openFd(path, constants.O_WRONLY)
      fds.push(writeFd)
      pairs.push({ readFd, writeFd })
    }
    let isOpen = true
    return {
      pairs,
      close() {
        if (!isOpen) return
        isOpen = false
        for (const fd of fds) closeSync(fd)
      },
    }
  } catch {
    for (const fd of fds) closeQuietly(fd)
    return undefined
  } finally {
    // The descriptors are open: a directory that will not go only leaves a name behind.
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined)
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // Already closed: nothing is left to free.
  }
}

function openFd(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => open(path, flags, (err, fd) => (err ? reject(err) : resolve(fd))))
}

function fifosOf(pairs: ReadonlyArray<{ readFd: number; writeFd: number }>): OutputFifos {
  let childEndsOpen = true
  const sockets: Socket[] = []
  const closeChildEnds = (): void => {
    if (!childEndsOpen) return
    childEndsOpen = false
    for (const { writeFd } of pairs) closeSync(writeFd)
  }
  const channels = pairs.map(({ readFd, writeFd }): OutputChannel => {
    let deliver: (bytes: Uint8Array) => void = () => undefined
    // `onread` works in the constructor (Node ≥ 12) though @types/node lists it for connect() only.
    const options: SocketConstructorOpts & { onread: OnReadOpts } = {
      fd: readFd,
      readable: true,
      writable: false,
      onread: {
        buffer: READ_BUFFER,
        callback: (n, buffer) => {
          deliver(buffer.subarray(0, n))
          return true
        },
      },
    }
    const socket = new Socket(options)
    sockets.push(socket)
    // Read errors end the stream like EOF does: output is only logged.
    socket.on('error', () => undefined)
    return {
      childFd: writeFd,
      read(onChunk, onEnd) {
        deliver = onChunk
        socket.once('end', onEnd)
        // No 'data' listener with onread: resume() lets the stream reach 'end'.
        socket.resume()
      },
    }
  })
  return {
    channels,
    closeChildEnds,
    destroy() {
      closeChildEnds()
      for (const socket of sockets) socket.destroy()
    },
  }
}
