import { describe, expect, it, vi } from 'vitest'
import { MAX_RENDER_DELAY_MS, RenderScheduler } from '../../src/renderer/render-scheduler'

function setup() {
  const frames = new Map<number, () => void>()
  const timeouts = new Map<number, { fn: () => void; ms: number }>()
  let nextId = 1
  const render = vi.fn()
  const scheduler = new RenderScheduler(render, {
    requestAnimationFrame: (fn) => {
      frames.set(nextId, fn)
      return nextId++
    },
    cancelAnimationFrame: (id) => frames.delete(id),
    setTimeout: (fn, ms) => {
      timeouts.set(nextId, { fn, ms })
      return nextId++
    },
    clearTimeout: (id) => timeouts.delete(id as number),
  })
  const runFrames = () => [...frames.values()].forEach((fn) => fn())
  const runTimeouts = () => [...timeouts.values()].forEach((t) => t.fn())
  return { render, scheduler, frames, timeouts, runFrames, runTimeouts }
}

describe('batching renders', () => {
  it('renders once per frame however many updates arrive', () => {
    const { render, scheduler, runFrames } = setup()
    scheduler.schedule()
    scheduler.schedule()
    scheduler.schedule()
    runFrames()
    expect(render).toHaveBeenCalledOnce()
  })

  it('renders from the fallback timer when no frame comes, within 100 ms', () => {
    const { render, scheduler, timeouts, frames, runTimeouts } = setup()
    scheduler.schedule()
    expect([...timeouts.values()][0]!.ms).toBe(MAX_RENDER_DELAY_MS)
    expect(MAX_RENDER_DELAY_MS).toBeLessThanOrEqual(100)
    runTimeouts()
    expect(render).toHaveBeenCalledOnce()
    expect(frames.size).toBe(0)
  })

  it('cancels the other trigger once one has rendered', () => {
    const { scheduler, timeouts, runFrames } = setup()
    scheduler.schedule()
    runFrames()
    expect(timeouts.size).toBe(0)
  })

  it('schedules again after a render', () => {
    const { render, scheduler, runFrames } = setup()
    scheduler.schedule()
    runFrames()
    scheduler.schedule()
    runFrames()
    expect(render).toHaveBeenCalledTimes(2)
  })

  it('leaves nothing pending after dispose', () => {
    const { render, scheduler, frames, timeouts } = setup()
    scheduler.schedule()
    scheduler.dispose()
    scheduler.schedule()
    expect(frames.size + timeouts.size).toBe(0)
    expect(render).not.toHaveBeenCalled()
  })
})
