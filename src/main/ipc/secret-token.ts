import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Compares a presented token with the secret in constant time. Hashing both first makes them the
 * same length, so neither the content nor the length of the secret leaks through timing. Used by
 * the launcher's `register` check and the diagnostics HTTP API alike.
 */
export function tokensEqual(presented: string, secret: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(secret))
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest()
}
