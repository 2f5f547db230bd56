/**
 * What every side of the call scenario computes and how the raw loop spells it on the wire; free
 * of zod and of hostpipe, so the bench's child scripts stay small (bench/call-commands.ts holds
 * the schemas).
 */

/** `add`'s input and output, as every side passes them. */
export interface AddInput {
  a: number
  b: number
}
export interface AddOutput {
  sum: number
}

/** Every side's server: the host's handler, the peers' method. */
export function add({ a, b }: AddInput): AddOutput {
  return { sum: a + b }
}

/** A raw call loop's request line, `{"id":n,"a":…,"b":…}`. */
export interface RawCallRequest extends AddInput {
  id: number
}

/** Its answer, `{"id":n,"sum":…}`, carrying the request's id back. */
export interface RawCallResponse extends AddOutput {
  id: number
}

/**
 * A fixed amount of CPU work (xorshift rounds), the same on every host whatever the machine's
 * load: the pool scenario measures how much of it two hosts get through, not how long a timer ran.
 */
export function spin({ rounds }: { rounds: number }): { checksum: number } {
  let x = 0x9e3779b9
  for (let i = 0; i < rounds; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
  }
  return { checksum: x >>> 0 }
}
