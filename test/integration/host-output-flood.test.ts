// A host that writes without end to every channel it has to the launcher: the shipped headless
// launcher must stay alive, keep serving, and keep its memory bounded. The host is the real
// `out/main/host.js` with test/fixtures/host-flood.mjs preloaded (NODE_OPTIONS), which floods on
// SIGUSR2 once the launcher has settled, so the launcher's RSS before the flood is the baseline.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { DiagnosticsSnapshot } from '../../src/shared/diagnostics'
import { startHeadless, type HeadlessLauncher } from '../support/headless-launcher'
import { waitFor } from '../support/ipc-wait'

const FIXTURE = resolve('test/fixtures/host-flood.mjs')
const MiB = 1024 * 1024
/** The bound of issue 14: whatever a host writes, the launcher grows by less than this. */
const MAX_RSS_GROWTH_MB = 50
const hasProc = (() => {
  try {
    readFileSync('/proc/self/status')
    return true
  } catch {
    return false
  }
})()

/** Current and peak resident memory of a process, in MB (Linux). */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1])
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
}

let launcher: HeadlessLauncher | undefined
let workDir: string | undefined

afterEach(async () => {
  await launcher?.stop()
  launcher = undefined
  if (workDir) rmSync(workDir, { recursive: true, force: true })
  workDir = undefined
})

async function snapshot(): Promise<DiagnosticsSnapshot> {
  const res = await fetch(`${launcher!.origin}/api/snapshot`, {
    headers: { Authorization: `Bearer ${launcher!.token}` },
  })
  expect(res.status).toBe(200)
  return (await res.json()) as DiagnosticsSnapshot
}

interface FloodResult {
  /** What the host reported: `done`, or `failed <why>`. */
  outcome: string
  growthMb: number
  before: DiagnosticsSnapshot
  after: DiagnosticsSnapshot
}

/**
 * Starts a launcher whose hosts flood `target` with `bytes` on SIGUSR2, waits until the host says
 * it is done, or else (a host whose connection the launcher closed exits mid-write) until another
 * host serves, and measures the launcher.
 */
async function flood(target: string, bytes: number, transport: 'pipe' | 'port'): Promise<FloodResult> {
  workDir = mkdtempSync(join(tmpdir(), 'hostpipe-flood-test-'))
  const mark = join(workDir, 'mark')
  writeFileSync(mark, '')
  launcher = await startHeadless(['--transport', transport], {
    NODE_OPTIONS: `--import=${FIXTURE}`,
    HOSTPIPE_FLOOD_BYTES: String(bytes),
    HOSTPIPE_FLOOD_TARGET: target,
    HOSTPIPE_FLOOD_MARK: mark,
    HOSTPIPE_LOG_LEVEL: 'info',
  })
  const pid = launcher.process.pid!
  const before = await snapshot()
  expect(before.state).toBe('connected')
  const baseline = memoryMb(pid).rss
  process.kill(before.hostPid!, 'SIGUSR2')
  let outcome = ''
  await waitFor(
    async () => {
      expect(launcher!.process.exitCode, `launcher exited; stderr:\n${launcher!.stderr().slice(-2000)}`).toBe(
        null,
      )
      outcome = readFileSync(mark, 'utf8').trim()
      if (outcome !== '') return true
      // Only the port-channel flood ends without a mark (its host is closed mid-write); the
      // others are not polled over HTTP, so the launcher does nothing else while it is measured.
      if (target !== 'channel') return false
      const now = await snapshot()
      if (now.state !== 'connected' || now.hostPid === before.hostPid) return false
      outcome = 'replaced'
      return true
    },
    `the host to finish writing ${bytes} bytes`,
    120_000,
    100,
  )
  const growthMb = memoryMb(pid).peak - baseline
  console.log(`${target} ${bytes} bytes (${transport}): peak RSS growth ${growthMb.toFixed(1)} MB`)
  return { outcome, growthMb, before, after: await snapshot() }
}

describe.skipIf(!hasProc)('a host flooding the launcher', () => {
  it('1 GiB on stderr without a newline: the launcher stays alive and grows by less than 50 MB', async () => {
    const r = await flood('stderr', 1024 * MiB, 'pipe')
    expect(r.outcome).toMatch(/^\d+ done$/)
    expect(r.growthMb).toBeLessThan(MAX_RSS_GROWTH_MB)
    expect(r.after.hostPid).toBe(r.before.hostPid)
    expect(r.after.state).toBe('connected')
    // One log line holds the first 16 KiB; the rest of the line is counted, not kept or logged.
    const cutLine = `[host ${r.before.hostPid}] ${'x'.repeat(16 * 1024)} … [line longer than 16384`
    await waitFor(() => launcher!.stderr().includes(cutLine), 'the cut line in the log')
    expect(launcher!.stderr().length).toBeLessThan(64 * 1024)
  }, 180_000)

  it('1 GiB on stdout, port transport: the same', async () => {
    const r = await flood('stdout', 1024 * MiB, 'port')
    expect(r.outcome).toMatch(/^\d+ done$/)
    expect(r.growthMb).toBeLessThan(MAX_RSS_GROWTH_MB)
    expect(r.after.hostPid).toBe(r.before.hostPid)
    expect(r.after.state).toBe('connected')
  }, 180_000)

  it('a host has no Node IPC channel: nothing unframed to flood, the launcher unharmed', async () => {
    const r = await flood('ipc', 1024 * MiB, 'pipe')
    expect(r.outcome).toMatch(/^\d+ failed /)
    expect(r.growthMb).toBeLessThan(MAX_RSS_GROWTH_MB)
    expect(r.after.hostPid).toBe(r.before.hostPid)
  }, 180_000)

  it('1 GiB without a newline on the port channel is refused at the frame limit and the host replaced', async () => {
    const r = await flood('channel', 1024 * MiB, 'port')
    expect(r.outcome).toBe('replaced')
    // A registered hostpipe host may send frames up to maxPayloadBytes (64 MiB) plus an envelope:
    // the launcher buffers at most that much of one frame before refusing it.
    expect(r.growthMb).toBeLessThan(64 + MAX_RSS_GROWTH_MB)
    expect(r.after.state).toBe('connected')
    expect(launcher!.stderr()).toMatch(
      /frame_too_large: frame of \d+\+ bytes exceeds 67112960 bytes; closing/,
    )
  }, 180_000)
})
