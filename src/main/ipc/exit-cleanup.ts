import { rmSync } from 'node:fs'
import { toDisposable, type Disposable } from '../base/disposable'

/** The signals that end a process by default and still let it run a listener first. */
export const CLEANUP_SIGNALS = ['SIGTERM', 'SIGINT'] as const

/** Live launchers' private socket directories. */
const dirs = new Set<string>()
let isInstalled = false

/**
 * Keeps `dir` (a launcher's private socket directory) from outliving the process: it is removed
 * synchronously when the process exits (`process.exit`, the event loop running dry) or gets
 * SIGTERM or SIGINT. Dispose once the directory is removed the ordinary way (`SocketServer.close`).
 *
 * One set of process listeners serves every live directory, installed with the first and removed
 * with the last. On a signal: when the app has no listener of its own for it, ours is removed
 * and the signal raised again, so the process ends as it would have without us (the exit code
 * says "killed by SIGTERM"); when the app has one, the app decides what the signal means and we
 * do nothing more.
 */
export function removeDirOnExit(dir: string): Disposable {
  dirs.add(dir)
  install()
  return toDisposable(() => {
    dirs.delete(dir)
    if (dirs.size === 0) uninstall()
  })
}

/** Whether the process listeners are installed (for tests: none is left once every directory is gone). */
export function hasExitCleanup(): boolean {
  return isInstalled
}

function install(): void {
  if (isInstalled) return
  isInstalled = true
  process.on('exit', removeAllNow)
  for (const signal of CLEANUP_SIGNALS) process.on(signal, onSignal)
}

function uninstall(): void {
  if (!isInstalled) return
  isInstalled = false
  process.off('exit', removeAllNow)
  for (const signal of CLEANUP_SIGNALS) process.off(signal, onSignal)
}

function onSignal(signal: NodeJS.Signals): void {
  removeAllNow()
  // Ours is the only listener: without it the signal would have ended the process, so let it.
  if (process.listenerCount(signal) > 1) return
  uninstall()
  process.kill(process.pid, signal)
}

/** Synchronous: an `exit` listener and a dying process cannot wait for promises. */
function removeAllNow(): void {
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true })
    } catch {
      // Nothing to report to at exit; the next launcher's sweep removes what is left.
    }
  }
  dirs.clear()
}
