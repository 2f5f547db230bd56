/** Longer lines are logged in pieces, so a host that never prints '\n' cannot grow our memory. */
const MAX_LINE_CHARS = 16 * 1024

export interface ReadableLike {
  setEncoding(encoding: 'utf8'): unknown
  on(event: 'data', listener: (chunk: string) => void): unknown
  on(event: 'end', listener: () => void): unknown
  removeListener(event: 'data', listener: (chunk: string) => void): unknown
  removeListener(event: 'end', listener: () => void): unknown
}

/**
 * Calls `log` with each line of a host's stdout or stderr. Returns a function that stops
 * listening (and logs any unterminated last line).
 */
export function logHostOutput(stream: ReadableLike, log: (line: string) => void): () => void {
  let partial = ''
  const emit = (line: string): void => {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line
    if (trimmed.length > 0) log(trimmed)
  }
  const onData = (chunk: string): void => {
    partial += chunk
    let newline: number
    while ((newline = partial.indexOf('\n')) !== -1) {
      emit(partial.slice(0, newline))
      partial = partial.slice(newline + 1)
    }
    while (partial.length > MAX_LINE_CHARS) {
      emit(partial.slice(0, MAX_LINE_CHARS))
      partial = partial.slice(MAX_LINE_CHARS)
    }
  }
  let stopped = false
  const stop = (): void => {
    if (stopped) return
    stopped = true
    stream.removeListener('data', onData)
    stream.removeListener('end', stop)
    if (partial) emit(partial)
    partial = ''
  }
  stream.setEncoding('utf8')
  stream.on('data', onData)
  stream.on('end', stop)
  return stop
}
