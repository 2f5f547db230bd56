import { execFileSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs'
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
 * Returns undefined where this cannot be done (Windows, no `mkfifo`), and the caller falls back
 * to pipes. Synchronous: `mkfifo` takes a few ms, once per host spawned.
 */
export function openOutputFifos(count: number, log: Logger): OutputFifos | undefined {
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

function fifosOf(pairs: Array<{ readFd: number; writeFd: number }>): OutputFifos {
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
