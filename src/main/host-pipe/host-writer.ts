/**
 * What HostPipe needs from the world, injected: a writer for the current host, a clock, a logger.
 * HostPipe never sees a socket, a process or Electron.
 */

/** Writes one frame (no trailing `\n`) to the host; resolves when the transport has taken it. */
export interface HostWriter {
  write(line: string): Promise<void>
}

/** Time, injected so the 30 s budget is testable without sleeping. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface Logger {
  debug(...args: unknown[]): void
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
}

/** The wall clock. Its timers do not keep a Node process alive on their own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = globalThis.setTimeout(fn, ms) as unknown as { unref?: () => void }
    handle.unref?.()
    return handle
  },
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}
