/** Why a HostPipe call failed. Errors are values with a code, not strings to parse. */
export type HostPipeErrorCode =
  'HOST_NOT_CONNECTED' | 'WRITE_FAILED' | 'SERIALIZE' | 'BUFFER_OVERFLOW' | 'STALE_SESSION'

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
