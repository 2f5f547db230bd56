import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { logHostOutput } from '../../src/main/electron/host-output-logger'

function setup() {
  const stream = new PassThrough()
  const lines: string[] = []
  const stop = logHostOutput(stream, (l) => lines.push(l))
  return { stream, lines, stop }
}

const tick = () => new Promise((r) => setImmediate(r))

describe('logging a host’s output', () => {
  it('logs each line once, joining lines split across chunks and dropping blank ones', async () => {
    const { stream, lines } = setup()
    stream.write('hello\nwor')
    stream.write('ld\r\n\n')
    await tick()
    expect(lines).toEqual(['hello', 'world'])
  })

  it('logs an unterminated last line when the stream ends', async () => {
    const { stream, lines } = setup()
    stream.end('bye')
    await tick()
    expect(lines).toEqual(['bye'])
  })

  it('cuts a line that never ends instead of growing without bound', async () => {
    const { stream, lines } = setup()
    stream.write('x'.repeat(40 * 1024))
    await tick()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^x{16384} … \[line longer than 16384 bytes: the rest is dropped\]$/)
  })

  it('stops listening when told to', async () => {
    const { stream, lines, stop } = setup()
    stop()
    stream.write('late\n')
    await tick()
    expect(lines).toEqual([])
    expect(stream.listenerCount('data')).toBe(0)
  })
})
