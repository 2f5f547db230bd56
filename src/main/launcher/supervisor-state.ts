/**
 * - `starting`: a host process was spawned and has not registered yet.
 * - `running`: the host registered (`markRunning`).
 * - `backoff`: the host crashed; a restart is scheduled.
 * - `stopping`: `stopHost`/`dispose` is bringing the host down.
 * - `stopped`: held down by `stopHost` (or disposed): nothing restarts it but `startHost`.
 * - `gave-up`: too many crashes in the window; nothing restarts it but `startHost`.
 */
export type SupervisorState = 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'gave-up'
