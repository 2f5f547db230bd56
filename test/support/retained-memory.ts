import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

let collect: (() => void) | undefined

/** A full garbage collection, without starting the process with --expose-gc. */
function collectGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc')
    collect = runInNewContext('gc') as () => void
  }
  collect()
}

/**
 * Memory still reachable after a full GC (JS heap plus Buffers and other external memory), in
 * MB. Unlike RSS it leaves out garbage and the pages V8 keeps after collecting it, so a test that
 * itself allocates a lot can still tell whether the code under test holds on to memory.
 */
export async function retainedMemoryMb(): Promise<number> {
  // Buffers are freed by finalizers after a collection: give them turns of the loop, and collect
  // again, until the figure settles.
  for (let i = 0; i < 3; i++) {
    collectGarbage()
    await new Promise((resolve) => setImmediate(resolve))
  }
  collectGarbage()
  const m = process.memoryUsage()
  return Math.round((m.heapUsed + m.external) / (1024 * 1024))
}
