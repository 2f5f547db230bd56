import { describe, expect, it } from 'vitest'
import { QueuedBytes } from '../../src/main/host-pipe'
import type { HostCommand } from '../../src/shared/protocol'
import { makePipe } from '../support/pipe-harness'

const withBytes = (sagaId: number, size: number): HostCommand =>
  ({ cmd: 'echo', saga_id: sagaId, data: new Uint8Array(size) }) as unknown as HostCommand

describe('bytes of buffered commands counted in the owner’s tally', () => {
  it('counts a buffered command’s bytes until it is cancelled, dropped or disposed', async () => {
    const queuedBytes = new QueuedBytes(1_000)
    const { pipe } = makePipe({ capacity: 2, queuedBytes })
    expect(pipe.isBuffering).toBe(true)
    await pipe.sendCommand(withBytes(1, 100))
    await pipe.sendCommand(withBytes(2, 200))
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 3 })
    expect(queuedBytes.bytes).toBe(200)
    pipe.cancelSaga(2)
    expect(queuedBytes.bytes).toBe(0)
    await pipe.sendCommand(withBytes(4, 40))
    pipe.dispose()
    expect(queuedBytes.bytes).toBe(0)
  })

  it('takes a caller’s measure instead of looking for bytes itself', async () => {
    const queuedBytes = new QueuedBytes(1_000)
    const { pipe } = makePipe({ queuedBytes })
    // Told "no bytes", the pipe trusts it and counts none.
    await pipe.sendCommand(withBytes(1, 100), { blockBytes: -1 })
    await pipe.sendCommand(withBytes(2, 100), { blockBytes: 100 })
    expect(queuedBytes.bytes).toBe(100)
  })
})
