import { describe, expect, it } from 'vitest'
import { REASON_BEFORE_ACK } from '../../src/main/host-pipe'
import { MemoryWriter, settle } from '../support/memory-writer'
import { makePipe } from '../support/pipe-harness'

async function perCallPipe(opts: Parameters<typeof makePipe>[0] = {}) {
  const h = makePipe(opts)
  const w = new MemoryWriter()
  await h.pipe.setWriter(w, { acks: true, perCall: true })
  const seqs = () => w.parsed().map((f) => f.seq as number)
  return { ...h, w, seqs }
}

describe('per-call acks (a host with feature per_call_ack)', () => {
  it('acks exactly the command an ack names, in any order', async () => {
    const { pipe, seqs, sagaFailures } = await perCallPipe()
    for (let id = 1; id <= 4; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    const [s1, s2, s3, s4] = seqs()
    pipe.ack(s3!)
    pipe.ack(s1!)
    expect(pipe.snapshot()).toMatchObject({ inFlight: 2, counters: { acked: 2 } })
    pipe.clearWriter()
    expect(sagaFailures()).toEqual([2, 4].map((saga_id) => ({ saga_id, reason: REASON_BEFORE_ACK })))
    expect([s2, s4]).toHaveLength(2)
  })

  it('ignores and counts an ack of a seq not in flight, or acked already', async () => {
    const { pipe, seqs } = await perCallPipe()
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    const [s1] = seqs()
    pipe.ack(s1!)
    pipe.ack(s1!)
    pipe.ack(999)
    expect(pipe.snapshot()).toMatchObject({ inFlight: 0, counters: { acked: 1, ignoredAcks: 2 } })
  })

  it('frees window room per ack, so a long command does not hold back the ones behind it', async () => {
    const { pipe, seqs, w } = await perCallPipe({ maxInFlight: 2 })
    for (let id = 1; id <= 4; id++) void pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    await settle()
    expect(w.parsed().map((f) => f.saga_id)).toEqual([1, 2])
    pipe.ack(seqs()[1]!) // saga 2 done while saga 1 still runs
    await settle()
    expect(w.parsed().map((f) => f.saga_id)).toEqual([1, 2, 3])
    expect(pipe.sagaCommandState(1)).toBe('in-flight')
    expect(pipe.sagaCommandState(2)).toBeUndefined()
  })

  it('tells change listeners once per turn for a run of acks, not once per ack', async () => {
    const { pipe, seqs } = await perCallPipe()
    for (let id = 1; id <= 5; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    await settle()
    const inFlightSeen: number[] = []
    pipe.on('change', (s) => inFlightSeen.push(s.inFlight))
    for (const seq of seqs()) pipe.ack(seq)
    expect(inFlightSeen).toEqual([])
    await settle()
    expect(inFlightSeen).toEqual([0])
  })

  it('goes back to cumulative acks for the next host that did not announce per_call_ack', async () => {
    const { pipe } = await perCallPipe()
    const w2 = new MemoryWriter()
    await pipe.setWriter(w2, { acks: true })
    for (let id = 1; id <= 3; id++) await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: id })
    pipe.ack(w2.parsed().at(-1)!.seq as number)
    expect(pipe.snapshot().inFlight).toBe(0)
  })
})
