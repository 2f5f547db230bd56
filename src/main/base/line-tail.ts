/** Lines kept by default. */
export const TAIL_LINES = 20
/** Characters kept by default, all lines together. */
export const TAIL_CHARS = 4096

/**
 * The last lines of a stream (a host's stderr, for the error that says why it did not start):
 * at most `maxLines` lines and `maxChars` characters in all, whatever is pushed. A line longer
 * than `maxChars` keeps its end.
 */
export class LineTail {
  private lines: string[] = []
  private chars = 0

  constructor(
    private readonly maxLines = TAIL_LINES,
    private readonly maxChars = TAIL_CHARS,
  ) {}

  push(line: string): void {
    const kept = line.length > this.maxChars ? line.slice(line.length - this.maxChars) : line
    this.lines.push(kept)
    this.chars += kept.length
    while (this.lines.length > this.maxLines || this.chars > this.maxChars)
      this.chars -= this.lines.shift()!.length
  }

  /** The lines kept, oldest first (a copy). */
  snapshot(): string[] {
    return [...this.lines]
  }
}
