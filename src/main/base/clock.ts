/** Time, injected so timeouts (the 30 s budget, backoff, saga timeouts) are tested without sleeping. */
export interface Clock {
  /** Milliseconds in the clock's own time base (the wall clock's is the Unix epoch). */
  now(): number
  /** Calls `fn` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown
  /** Cancels a timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: unknown): void
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
