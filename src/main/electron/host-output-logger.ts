/**
 * A utility-process host's stdout and stderr are read exactly as the headless spawner reads a
 * forked host's: one bounded line reader for every stream a host can write to.
 */
export { logHostOutput, type ReadableLike } from '../ipc/bounded-line-reader'
