import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from '../base/logger'
import { recordOwner, sweepStaleDirs } from './stale-dir-sweeper'

/** The socket's name inside its private directory. */
export const SOCKET_FILE_NAME = 'host.sock'
/** Unix `sun_path` holds 104 bytes on macOS (108 on Linux), including the terminating NUL. */
export const MAX_UNIX_SOCKET_PATH_BYTES = 103

const PIPE_ID = /^[A-Za-z0-9_-]{1,64}$/

/** A fresh random id for a pipe name: unguessable, so no other user can squat on it. */
export function randomPipeId(): string {
  return randomBytes(12).toString('hex')
}

/**
 * The Windows named pipe for a launch: `\\.\pipe\hostpipe-<id>`. Named pipes live in their own
 * namespace (no file, no directory to protect), so the random id is what keeps them private.
 */
export function windowsPipeName(id: string): string {
  if (!PIPE_ID.test(id))
    throw new RangeError(`pipe id must be 1-64 of [A-Za-z0-9_-], got ${JSON.stringify(id)}`)
  return `\\\\.\\pipe\\hostpipe-${id}`
}

/** The socket path inside a private directory; throws when the OS could not bind it. */
export function unixSocketPath(dir: string): string {
  const path = join(dir, SOCKET_FILE_NAME)
  const bytes = Buffer.byteLength(path)
  if (bytes > MAX_UNIX_SOCKET_PATH_BYTES)
    throw new RangeError(
      `unix socket path must be at most ${MAX_UNIX_SOCKET_PATH_BYTES} bytes, got ${bytes} (${path}); use a shorter temp dir`,
    )
  return path
}

/**
 * Makes a directory only this user can enter (0700), with a record of the launcher that owns it
 * (see stale-dir-sweeper.ts). mkdtemp already creates it 0700; the chmod says so explicitly,
 * whatever the umask.
 */
export async function makePrivateDir(parent: string = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, 'hostpipe-'))
  try {
    await chmod(dir, 0o700)
    await recordOwner(dir)
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  return dir
}

/** Where a launch listens: a named pipe on Windows, else a socket in a fresh private directory. */
export interface PipeLocation {
  path: string
  /** The private directory to remove on close; undefined for a Windows pipe. */
  dir: string | undefined
}

/**
 * A fresh place to listen. On Unix, the private directories that killed launchers left in the
 * same parent are removed first (a SIGKILL leaves no chance to clean up).
 */
export async function createPipeLocation(
  opts: { platform?: NodeJS.Platform; parentDir?: string; log?: Logger } = {},
): Promise<PipeLocation> {
  if ((opts.platform ?? process.platform) === 'win32')
    return { path: windowsPipeName(randomPipeId()), dir: undefined }
  await sweepStaleDirs(opts.parentDir ?? tmpdir(), { log: opts.log })
  const dir = await makePrivateDir(opts.parentDir)
  try {
    return { path: unixSocketPath(dir), dir }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}
