/** Why a HostPipe call failed. Errors are values with a code, not strings to parse. */
export type HostPipeErrorCode =
  | 'HOST_NOT_CONNECTED'
  | 'WRITE_FAILED'
  | 'SERIALIZE'
  | 'BUFFER_OVERFLOW'
  | 'STALE_SESSION'
  /** A `call` named a command never defined, or its input failed the command's schema. */
  | 'INVALID_COMMAND'
  /** The launcher already holds as many waiting calls as it may (`maxQueued`); nothing was sent. */
  | 'QUEUE_FULL'
  /** A payload would exceed the size the launcher allows; nothing was sent. */
  | 'PAYLOAD_TOO_LARGE'

/**
 * What a HostPipe call or a launcher's `call` rejects with before anything reached a host: `code`
 * says why (`INVALID_COMMAND`, `QUEUE_FULL`, `HOST_NOT_CONNECTED`, …), the message names what was
 * wrong.
 *
 * @category Errors
 */
export class HostPipeError extends Error {
  override readonly name = 'HostPipeError'

  constructor(
    readonly code: HostPipeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The STALE_SESSION error for a caller of `sessionId` after `currentId` replaced it. */
export function staleSession(sessionId: number, currentId: number): HostPipeError {
  return new HostPipeError(
    'STALE_SESSION',
    `host pipe session ${sessionId} is stale (replaced by session ${currentId})`,
  )
}

/** The BUFFER_OVERFLOW a fail-fast send gets while `maxInFlight` commands are unacked. */
export function inFlightFull(maxInFlight: number, what: string): HostPipeError {
  return new HostPipeError('BUFFER_OVERFLOW', `${maxInFlight} commands in flight: ${what} not sent`)
}
