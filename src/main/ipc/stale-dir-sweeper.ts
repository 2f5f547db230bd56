import { readFileSync } from 'node:fs'
import { lstat, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { silentLogger, type Logger } from '../base/logger'

/** The file in each private directory that names the launcher owning it. */
export const OWNER_FILE_NAME = 'owner.json'
/** `mkdtemp(join(parent, 'hostpipe-'))` names: the prefix and six random characters. */
export const PRIVATE_DIR_NAME = /^hostpipe-[A-Za-z0-9]{6}$/
/** An owner record is a few dozen bytes; a bigger file is not ours and is not read. */
const MAX_OWNER_FILE_BYTES = 4096

/**
 * Who owns a private directory: the launcher's pid, and what tells that process apart from a
 * later one given the same pid. On Linux that is the process's start time (clock ticks since
 * boot, `/proc/<pid>/stat` field 22) and the boot id; elsewhere only the pid is known.
 */
export interface DirOwner {
  pid: number
  /** Start time of `pid`, or null where it cannot be read. */
  start: string | null
  /** `/proc/sys/kernel/random/boot_id`, or null where it cannot be read. */
  boot: string | null
}

function readTrimmed(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return null
  }
}

/** The start time of `pid` (Linux), or null. The command name may hold spaces and ')': skip it. */
export function processStartTime(pid: number): string | null {
  const stat = readTrimmed(`/proc/${pid}/stat`)
  if (stat === null) return null
  // Fields after "pid (comm) ": state is field 3, so starttime (field 22) is the 20th of these.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
}

/** This process as a DirOwner. */
export function currentOwner(pid: number = process.pid): DirOwner {
  return { pid, start: processStartTime(pid), boot: readTrimmed('/proc/sys/kernel/random/boot_id') }
}

/**
 * Writes the owner record into a fresh private directory. Written to a temporary name and
 * renamed, so a sweeping launcher sees either no record (and leaves the directory alone) or a
 * whole one.
 */
export async function recordOwner(dir: string, owner: DirOwner = currentOwner()): Promise<void> {
  const temporary = join(dir, `${OWNER_FILE_NAME}.tmp`)
  await writeFile(temporary, JSON.stringify(owner), { mode: 0o600 })
  await rename(temporary, join(dir, OWNER_FILE_NAME))
}

function parseOwner(text: string): DirOwner | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { pid, start, boot } = value as Record<string, unknown>
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined
  if (start !== null && typeof start !== 'string') return undefined
  if (boot !== null && typeof boot !== 'string') return undefined
  return { pid: pid as number, start, boot }
}

/**
 * Whether the process a record names is gone. Errs towards "alive": a directory is removed only
 * when its owner is known to be dead (no such pid, another boot, or the pid now belongs to a
 * process that started at another time).
 */
export function isOwnerGone(owner: DirOwner, now: DirOwner = currentOwner()): boolean {
  if (owner.boot !== null && now.boot !== null && owner.boot !== now.boot) return true
  try {
    process.kill(owner.pid, 0)
  } catch (err) {
    // ESRCH: no such process. EPERM: it exists (under another user): compare start times below.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true
  }
  if (owner.start === null) return false
  const start = processStartTime(owner.pid)
  return start !== null && start !== owner.start
}

export interface SweepOptions {
  log?: Logger
  /** Only directories owned by this uid are touched. Default `process.getuid()`. */
  uid?: number
}

/**
 * Removes the private directories (and the sockets in them) that launchers killed without a
 * chance to clean up left in `parent`, and only those: named like ours, real directories (not
 * symlinks), owned by this user, holding an owner record whose launcher is gone. A directory
 * without a record (being created right now, or made by an older version) is left alone. Never
 * throws; resolves to the directories removed.
 */
export async function sweepStaleDirs(parent: string, opts: SweepOptions = {}): Promise<string[]> {
  const log = opts.log ?? silentLogger
  const uid = opts.uid ?? process.getuid?.()
  if (uid === undefined) return []
  let names: string[]
  try {
    names = await readdir(parent)
  } catch (err) {
    log.debug(`[ipc] cannot list ${parent} for stale directories: ${String(err)}`)
    return []
  }
  const now = currentOwner()
  const removed: string[] = []
  for (const name of names) {
    if (!PRIVATE_DIR_NAME.test(name)) continue
    const dir = join(parent, name)
    try {
      const owner = await readOwner(dir, uid)
      if (!owner || owner.pid === process.pid || !isOwnerGone(owner, now)) continue
      await rm(dir, { recursive: true, force: true })
      removed.push(dir)
      log.info(`[ipc] removed ${dir}: its launcher (pid ${owner.pid}) is gone`)
    } catch (err) {
      log.debug(`[ipc] left ${dir} alone: ${String(err)}`)
    }
  }
  return removed
}

async function readOwner(dir: string, uid: number): Promise<DirOwner | undefined> {
  const stat = await lstat(dir)
  if (!stat.isDirectory() || stat.uid !== uid) return undefined
  const file = join(dir, OWNER_FILE_NAME)
  let fileStat
  try {
    fileStat = await lstat(file)
  } catch {
    return undefined
  }
  if (!fileStat.isFile() || fileStat.uid !== uid || fileStat.size > MAX_OWNER_FILE_BYTES) return undefined
  return parseOwner(await readFile(file, 'utf8'))
}
