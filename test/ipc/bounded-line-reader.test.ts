import { PassThrough } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BoundedLineSplitter,
  formatOutputLine,
  logHostOutput,
  MAX_OUTPUT_LINE_BYTES,
  type OutputLine,
} from '../../src/main/ipc/bounded-line-reader'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

function splitter(maxLineBytes = 8) {
  const out: OutputLine[] = []
  const s = new BoundedLineSplitter({ onLine: (l) => out.push(l), maxLineBytes })
  return { s, out }
}

describe('BoundedLineSplitter', () => {
  it('delivers whole lines, joining pieces split across chunks, with \\r\\n as one terminator', () => {
    const { s, out } = splitter()
    s.push(bytes('ab\ncd'))
    s.push(bytes('e\r'))
    s.push(bytes('\n\nf'))
    s.end()
    expect(out).toEqual([
      { kind: 'line', text: 'ab' },
      { kind: 'line', text: 'cde' },
      { kind: 'line', text: 'f' },
    ])
  })

  it('keeps a line of exactly the cap whole, its \\r\\n split across chunks included', () => {
    const { s, out } = splitter(4)
    s.push(bytes('abcd\r'))
    s.push(bytes('\nabcd\n'))
    expect(out).toEqual([
      { kind: 'line', text: 'abcd' },
      { kind: 'line', text: 'abcd' },
    ])
  })

  it('cuts a longer line at once and counts, without keeping, the rest of it', () => {
    const { s, out } = splitter(4)
    s.push(bytes('abcdef'))
    expect(out).toEqual([{ kind: 'cut', text: 'abcd' }])
    expect(s.bufferedBytes).toBe(0)
    s.push(bytes('ghi'))
    s.push(bytes('j\nnext\n'))
    expect(out).toEqual([
      { kind: 'cut', text: 'abcd' },
      { kind: 'cut-end', droppedBytes: 6 },
      { kind: 'line', text: 'next' },
    ])
  })

  it('reports the end of a cut line when the stream ends without a newline', () => {
    const { s, out } = splitter(4)
    s.push(bytes('abcd\rx'))
    s.end()
    expect(out).toEqual([
      { kind: 'cut', text: 'abcd' },
      { kind: 'cut-end', droppedBytes: 2 },
    ])
  })

  it('never splits a UTF-8 character when it cuts', () => {
    const { s, out } = splitter(5)
    s.push(bytes('ab😀cd\n')) // the emoji takes bytes 2..5
    expect(out).toEqual([
      { kind: 'cut', text: 'ab' },
      { kind: 'cut-end', droppedBytes: 6 },
    ])
  })

  it('refuses a cap too small to hold one character', () => {
    expect(() => new BoundedLineSplitter({ onLine: () => undefined, maxLineBytes: 2 })).toThrow(
      /maxLineBytes must be an integer ≥ 4, got 2/,
    )
  })

  it('holds at most cap + 1 bytes and accounts for every byte, whatever the chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'é', '\n', '\r', 'xyz'), { maxLength: 200 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 10 }),
        (pieces, cuts) => {
          const input = bytes(pieces.join(''))
          const { s, out } = splitter(6)
          let at = 0
          for (let i = 0; at < input.length; i++) {
            const next = Math.min(input.length, at + cuts[i % cuts.length]!)
            s.push(input.subarray(at, next))
            at = next
            expect(s.bufferedBytes).toBeLessThanOrEqual(7)
          }
          s.end()
          // Every line is delivered whole, or cut: its head plus what was dropped (a trailing `\r`
          // included) is the whole line. Terminators and empty lines are not lines.
          const expected = pieces
            .join('')
            .split('\n')
            .filter((raw) => raw !== '' && raw !== '\r')
          const seen: string[] = []
          for (const l of out) {
            if (l.kind === 'line') seen.push(l.text)
            else if (l.kind === 'cut') seen.push(l.text)
            else seen[seen.length - 1] += `+${l.droppedBytes}`
          }
          expect(seen).toHaveLength(expected.length)
          expected.forEach((raw, i) => {
            const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
            if (bytes(line).length <= 6) expect(seen[i]).toBe(line)
            else {
              const [head, dropped] = seen[i]!.split('+')
              expect(line.startsWith(head!)).toBe(true)
              expect(bytes(head!).length + Number(dropped)).toBe(bytes(raw).length)
            }
          })
        },
      ),
    )
  })
})

describe('logHostOutput', () => {
  it('logs a line that never ends once, cut at 16 KiB, and the count of what was dropped when it ends', async () => {
    const stream = new PassThrough()
    const lines: string[] = []
    logHostOutput(stream, (l) => lines.push(l))
    for (let i = 0; i < 64; i++) stream.write(Buffer.alloc(64 * 1024, 0x78))
    await new Promise((r) => setImmediate(r))
    expect(lines).toEqual([formatOutputLine({ kind: 'cut', text: 'x'.repeat(MAX_OUTPUT_LINE_BYTES) })])
    stream.end('\n')
    await new Promise((r) => setImmediate(r))
    expect(lines[1]).toBe(
      `[the line cut above ended; ${64 * 64 * 1024 - MAX_OUTPUT_LINE_BYTES} more bytes were dropped]`,
    )
  })
})
