const INITIAL_CAPACITY = 1024

/**
 * A map from ids that grow one by one (saga ids, seqs) to the records of things in progress: a
 * power-of-two table indexed by the id's low bits, plus a `Map` for the few entries still open
 * when an id a whole table later wants their slot (a long call among many short ones).
 *
 * It exists for the garbage collector. A `Map` that churns one entry per call keeps replacing its
 * hash table, and a replaced table still holds its entries (and, for iterators, a link to the
 * table that replaced it); once one of them reaches the old generation, each scavenge keeps every
 * later table and entry alive and promotes them, until the next full GC. On the launcher's call
 * path that promoted ~1 KB per call and doubled the scavenges' time (`node --trace-gc-nvp`, 256
 * calls outstanding: 1.0 → 0.15 KB promoted per call). Here a slot is cleared as its entry
 * leaves, and a table left for a bigger or smaller one is emptied before it is dropped, as `FifoQueue` does.
 *
 * The table doubles when an id finds its slot taken with half the table in use, and halves when
 * an eighth or less is in use (never below its first capacity), so a burst of open calls does not
 * keep its table once it is over, as a `Map`'s shrinks too.
 *
 * `values()` lists entries by ascending id (a `Map` lists them by insertion, the same order for
 * ids handed out in turn). Ids are non-negative safe integers, in any order.
 */
export class IdMap<T> {
  private ids: number[]
  private entries: (T | undefined)[]
  private mask: number
  /** Entries whose slot another id took while they were still open (or that collided in a resize). */
  private readonly stragglers = new Map<number, T>()
  private count = 0

  /** @param initialCapacity slots to start with, and the fewest it shrinks to: a power of two. Default 1024. */
  constructor(private readonly initialCapacity = INITIAL_CAPACITY) {
    if (
      !Number.isInteger(initialCapacity) ||
      initialCapacity < 1 ||
      (initialCapacity & (initialCapacity - 1)) !== 0
    )
      throw new RangeError(`IdMap capacity must be a power of two, got ${initialCapacity}`)
    this.ids = new Array<number>(initialCapacity).fill(-1)
    this.entries = new Array<T | undefined>(initialCapacity).fill(undefined)
    this.mask = initialCapacity - 1
  }

  get size(): number {
    return this.count
  }

  /** Slots in the table now (entries held past it, in `stragglers`, not counted). */
  get capacity(): number {
    return this.mask + 1
  }

  get(id: number): T | undefined {
    const i = id & this.mask
    if (this.ids[i] === id) return this.entries[i]
    return this.stragglers.size === 0 ? undefined : this.stragglers.get(id)
  }

  has(id: number): boolean {
    return this.ids[id & this.mask] === id || (this.stragglers.size > 0 && this.stragglers.has(id))
  }

  set(id: number, entry: T): void {
    let i = id & this.mask
    const held = this.ids[i]!
    if (held === id) {
      this.entries[i] = entry
      return
    }
    if (this.stragglers.size > 0 && this.stragglers.has(id)) {
      this.stragglers.set(id, entry)
      return
    }
    if (held !== -1) {
      if (this.count >= (this.mask + 1) >> 1) {
        this.resize((this.mask + 1) * 2)
        return this.set(id, entry)
      }
      this.stragglers.set(held, this.entries[i]!)
    }
    i = id & this.mask
    this.ids[i] = id
    this.entries[i] = entry
    this.count++
  }

  delete(id: number): boolean {
    const i = id & this.mask
    if (this.ids[i] === id) {
      this.ids[i] = -1
      this.entries[i] = undefined
    } else if (!(this.stragglers.size > 0 && this.stragglers.delete(id))) return false
    this.count--
    const capacity = this.mask + 1
    if (capacity > this.initialCapacity && this.count <= capacity >> 3) this.resize(capacity >> 1)
    return true
  }

  /** Every entry, by ascending id (a copy: the map may change while the caller walks it). */
  values(): T[] {
    const pairs: [number, T][] = []
    for (let i = 0; i <= this.mask; i++) if (this.ids[i] !== -1) pairs.push([this.ids[i]!, this.entries[i]!])
    for (const pair of this.stragglers) pairs.push(pair)
    pairs.sort((a, b) => a[0] - b[0])
    return pairs.map((pair) => pair[1])
  }

  clear(): void {
    this.stragglers.clear()
    this.count = 0
    this.ids.fill(-1)
    this.entries.fill(undefined)
    if (this.mask + 1 > this.initialCapacity) this.resize(this.initialCapacity)
  }

  /** Moves the table's entries to a table of `capacity` slots; those that collide there become stragglers. */
  private resize(capacity: number): void {
    const { ids, entries } = this
    this.ids = new Array<number>(capacity).fill(-1)
    this.entries = new Array<T | undefined>(capacity).fill(undefined)
    this.mask = capacity - 1
    this.count = this.stragglers.size
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      if (id === -1) continue
      const slot = id & this.mask
      if (this.ids[slot] === -1) {
        this.ids[slot] = id
        this.entries[slot] = entries[i]
      } else this.stragglers.set(id, entries[i]!)
      this.count++
    }
    ids.fill(-1)
    entries.fill(undefined)
  }
}
