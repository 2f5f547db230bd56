// A finished call's bytes are released: a child Node process (test/fixtures/embed/echo-memory.mjs,
// on the built package, run with --expose-gc) echoes a 32 MiB Uint8Array through a launcher and a
// real host many times, collects garbage, and reports its memory. RSS and ArrayBuffer bytes come
// back within 50 MiB of where they were before the rounds.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'

const script = fileURLToPath(new URL('../fixtures/embed/echo-memory.mjs', import.meta.url))
const MiB = 1024 * 1024
// 100 rounds take minutes on a loaded 2-core machine; HOSTPIPE_MEMORY_ROUNDS=100 runs them all.
const rounds = Number(process.env.HOSTPIPE_MEMORY_ROUNDS ?? 20)

interface Memory {
  rss: number
  arrayBuffers: number
}

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../../dist/node.js', import.meta.url))))
    throw new Error('dist/node.js is missing: build the library first with `npm run build:lib`')
})

describe('memory after big payloads', () => {
  it(`returns RSS and ArrayBuffer bytes to within 50 MiB after ${rounds} echoes of 32 MiB and a gc()`, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', script, String(rounds)], {
      timeout: 600_000,
    })
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      rounds: number
      before: Memory
      after: Memory
    }
    expect(report.rounds).toBe(rounds)
    expect(report.after.arrayBuffers - report.before.arrayBuffers).toBeLessThan(50 * MiB)
    expect(report.after.rss - report.before.rss).toBeLessThan(50 * MiB)
  }, 600_000)
})
