/**
 * Whether this process is a hostpipe host, as a launcher started in it needs to know: a process a
 * launcher spawned has HOSTPIPE_TOKEN in its environment, and one serving as a host has called
 * `runHost`. A launcher started in a spawned process that never called `runHost` is a host entry
 * that starts a launcher instead (often `hostEntry` naming the launcher's own file): each of its
 * hosts would start another, without end, so `start()` refuses.
 */
const RUN_HOST_MARK = Symbol.for('hostpipe.runHost')

/** `runHost` was called in this process: a launcher started here serves hosts of its own. */
export function markRunHost(): void {
  ;(globalThis as Record<symbol, unknown>)[RUN_HOST_MARK] = true
}

/**
 * The error a launcher's `start()` rejects with in a process a launcher spawned as a host that
 * has not called `runHost`; undefined anywhere else.
 */
export function spawnedHostLaunchError(env: Readonly<Record<string, string | undefined>>): Error | undefined {
  if (env.HOSTPIPE_TOKEN === undefined) return undefined
  if ((globalThis as Record<symbol, unknown>)[RUN_HOST_MARK] === true) return undefined
  return new Error(
    "launcher not started: this process was started by a hostpipe launcher as its host, and a host entry must call runHost, not start a launcher (each of its hosts would start another); is hostEntry the launcher's own file?",
  )
}
