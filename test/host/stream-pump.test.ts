import { describe, expect, it } from 'vitest'
import { StreamPump } from '../../src/main/host/stream-pump'
import { settle } from '../support/memory-writer'

/** A generator that counts how often it was resumed and whether its `finally` ran. */
function counting(chunks: number) {
  const state = { resumed: 0, finallyRan: false }
  async function* generate(): AsyncGenerator<number, string, undefined> {
    try {
      for (let i = 0; i < chunks; i++) {
        state.resumed++
        yield i
      }
      state.resumed++
      return 'done'
    } finally {
      state.finallyRan = true
    }
  }
  return { state, generator: generate() }
}

function pumpOf(
  generator: AsyncGenerator<unknown, unknown, undefined>,
  opts: { window?: number; checkChunk?: (chunk: unknown, index: number) => unknown } = {},
) {
  const sent: unknown[] = []
  const controller = new AbortController()
  const pump = new StreamPump({
    generator,
    window: opts.window ?? 3,
    signal: controller.signal,
    checkChunk: opts.checkChunk ?? ((chunk) => chunk),
    sendChunk: (chunk) => {
      sent.push(chunk)
      return undefined
    },
  })
  const outcome = pump.run().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  return { pump, sent, controller, outcome }
}

describe('StreamPump', () => {
  it('resumes the generator exactly window times while no credit comes, holding it at its yield', async () => {
    const { state, generator } = counting(10)
    const { sent } = pumpOf(generator, { window: 3 })
    await settle()
    expect(state.resumed).toBe(3)
    expect(sent).toEqual([0, 1, 2])
    await settle()
    expect(state.resumed).toBe(3)
  })

  it('resumes the generator once per chunk of credit granted', async () => {
    const { state, generator } = counting(10)
    const { pump, sent } = pumpOf(generator, { window: 3 })
    await settle()
    pump.grant(2)
    await settle()
    expect(state.resumed).toBe(5)
    expect(sent).toEqual([0, 1, 2, 3, 4])
  })

  it('resolves with the generator’s return value once it ends, every chunk sent in order', async () => {
    const { state, generator } = counting(4)
    const { pump, sent, outcome } = pumpOf(generator, { window: 2 })
    await settle()
    pump.grant(1)
    pump.grant(5)
    expect(await outcome).toEqual({ ok: true, value: 'done' })
    expect(sent).toEqual([0, 1, 2, 3])
    expect(state.finallyRan).toBe(true)
  })

  it('on abort closes the generator held at its yield (its finally runs) and rejects with the signal’s reason', async () => {
    const { state, generator } = counting(10)
    const { controller, outcome } = pumpOf(generator, { window: 2 })
    await settle()
    expect(state.finallyRan).toBe(false)
    const reason = new DOMException('cancelled', 'AbortError')
    controller.abort(reason)
    expect(await outcome).toEqual({ ok: false, error: reason })
    expect(state.finallyRan).toBe(true)
    expect(state.resumed).toBe(2)
  })

  it('on abort while the generator works, closes it at its next yield without sending that chunk', async () => {
    let release!: () => void
    const finallyRan: boolean[] = []
    async function* slow(): AsyncGenerator<number, void, undefined> {
      try {
        await new Promise<void>((resolve) => (release = resolve))
        yield 1
      } finally {
        finallyRan.push(true)
      }
    }
    const { controller, outcome, sent } = pumpOf(slow())
    await settle()
    controller.abort(new DOMException('deadline exceeded', 'TimeoutError'))
    release()
    const result = await outcome
    expect(result.ok).toBe(false)
    expect(!result.ok && (result.error as DOMException).name).toBe('TimeoutError')
    expect(sent).toEqual([])
    expect(finallyRan).toEqual([true])
  })

  it('fails on a bad chunk with the check’s error, sends nothing of it, and closes the generator', async () => {
    const { state, generator } = counting(10)
    const { sent, outcome } = pumpOf(generator, {
      checkChunk: (chunk, index) => {
        if (chunk === 1) throw new Error(`chunk ${index} of \`lines\` is invalid: expected string`)
        return chunk
      },
    })
    const result = await outcome
    expect(result.ok).toBe(false)
    expect(!result.ok && (result.error as Error).message).toBe(
      'chunk 1 of `lines` is invalid: expected string',
    )
    expect(sent).toEqual([0])
    expect(state.finallyRan).toBe(true)
  })

  it('fails with the chunk’s index when a chunk cannot be sent', async () => {
    const { generator } = counting(3)
    const pump = new StreamPump({
      generator,
      window: 3,
      signal: new AbortController().signal,
      checkChunk: (chunk) => chunk,
      sendChunk: () => 'is larger than the 1048576-byte frame limit',
    })
    await expect(pump.run()).rejects.toThrow('chunk 0 is larger than the 1048576-byte frame limit')
  })

  it('rejects with what the generator throws', async () => {
    async function* failing(): AsyncGenerator<number, void, undefined> {
      yield 1
      throw new Error('disk gone')
    }
    const { outcome, sent } = pumpOf(failing())
    const result = await outcome
    expect(!result.ok && (result.error as Error).message).toBe('disk gone')
    expect(sent).toEqual([1])
  })
})
