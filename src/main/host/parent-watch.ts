/** How often the host checks that its parent is still there when no channel tells it. */
const PARENT_POLL_MS = 1000

/**
 * Calls `onGone` once when the launcher that started this host is gone, so no host outlives it:
 * on the IPC channel's 'disconnect' (child_process.fork), and by noticing the parent pid change
 * (the OS re-parents orphans), which also covers a utilityProcess. Returns the stop function.
 */
export function watchParent(onGone: () => void, proc: NodeJS.Process = process): () => void {
  let isDone = false
  const gone = (): void => {
    if (isDone) return
    stop()
    onGone()
  }
  const initialPpid = proc.ppid
  const timer = setInterval(() => {
    if (proc.ppid !== initialPpid) gone()
  }, PARENT_POLL_MS)
  timer.unref()
  const hasChannel = proc.connected === true
  if (hasChannel) proc.once('disconnect', gone)
  function stop(): void {
    isDone = true
    clearInterval(timer)
    if (hasChannel) proc.off('disconnect', gone)
  }
  return stop
}
