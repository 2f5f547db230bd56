/**
 * A growable array of small non-negative integers indexed by a dense id (seq, saga id), stored in
 * a typed array so a million-command run costs a few MB and does not skew the RSS check.
 */
export class IntColumn {
  private data: Int32Array
  private highest = -1
  private total = 0

  constructor(initialSize = 1 << 16) {
    this.data = new Int32Array(initialSize)
  }

  /** The largest index ever set, -1 before the first. */
  get maxIndex(): number {
    return this.highest
  }

  /** The sum of every value. */
  get sum(): number {
    return this.total
  }

  get(i: number): number {
    return i < this.data.length ? this.data[i]! : 0
  }

  set(i: number, value: number): void {
    if (i >= this.data.length) {
      let size = this.data.length
      while (size <= i) size *= 2
      const grown = new Int32Array(size)
      grown.set(this.data)
      this.data = grown
    }
    this.total += value - this.data[i]!
    this.data[i] = value
    if (i > this.highest) this.highest = i
  }

  add(i: number, delta = 1): number {
    const value = this.get(i) + delta
    this.set(i, value)
    return value
  }
}
