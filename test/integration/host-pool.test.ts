// A pool of real host processes (`hosts: 2`, their entry file on the built `hostpipe/host`):
// calls spread over both, a key keeps its host until that host is lost, a busy host gets no
// unkeyed calls, each row counts its slot's replacements, and losing one host under load costs
// each call exactly one truthful outcome.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Event } from '../../src/shared/protocol'
import { fixturePath, launcherFixture } from '../support/launcher-fixture'
import { poolCommands } from '../support/pool-commands'
import { waitFor } from '../support/ipc-wait'

const startPool = launcherFixture({
  hostEntry: fixturePath('pool/host.mjs'),
  commands: poolCommands,
  hosts: 2,
  standby: 0,
})

let recordDir: string | undefined

afterEach(() => {
  if (recordDir) rmSync(recordDir, { recursive: true, force: true })
  recordDir = undefined
})

describe('a pool of two hosts', () => {
  it('resolves start() once both slots have a registered host, and lists one row per slot', async () => {
    const l = await startPool()
    const { hosts } = l.diagnostics()
    expect(hosts.map((h) => h.slot)).toEqual([0, 1])
    expect(hosts.map((h) => h.state)).toEqual(['connected', 'connected'])
    expect(new Set(hosts.map((h) => h.pid)).size).toBe(2)
  })

  it('gives CPU-bound calls to both hosts', async () => {
    const l = await startPool()
    const results = await Promise.all(Array.from({ length: 8 }, () => l.call('spin', { ms: 30 })))
    const pids = new Set(results.map((r) => r.pid))
    expect(pids).toEqual(new Set(l.diagnostics().hosts.map((h) => h.pid)))
  })

  it('keeps a key on one host, and moves it to the other when that host is killed', async () => {
    const l = await startPool()
    const first = await Promise.all(
      Array.from({ length: 5 }, () => l.call('touch', { user: 'alice', ms: 5 })),
    )
    const home = first[0]!.pid
    expect(first.map((r) => r.pid)).toEqual(first.map(() => home))
    process.kill(home, 'SIGKILL')
    await waitFor(
      () => !l.diagnostics().hosts.some((h) => h.pid === home && h.state === 'connected'),
      'the kill',
    )
    const after = await Promise.all(
      Array.from({ length: 5 }, () => l.call('touch', { user: 'alice', ms: 5 })),
    )
    expect(after[0]!.pid).not.toBe(home)
    expect(after.map((r) => r.pid)).toEqual(after.map(() => after[0]!.pid))
  })

  it('gives every call exactly one outcome when one host of two is SIGKILLed under load, failing none a host reported', async () => {
    recordDir = mkdtempSync(join(tmpdir(), 'hostpipe-pool-'))
    const record = join(recordDir, 'record')
    const l = await startPool({ standby: 1, env: { HOSTPIPE_RECORD: record } })
    const ends = new Map<number, Event[]>()
    l.onEvent((e) => {
      if (e.event !== 'saga_completed' && e.event !== 'saga_failed') return
      ends.set(e.saga_id, [...(ends.get(e.saga_id) ?? []), e])
    })
    const victim = l.diagnostics().hosts[1]!.pid!
    const calls = Array.from({ length: 400 }, (_, i) =>
      l.call('sleep', { ms: 5 + (i % 20) }, { timeoutMs: 20_000 }).then(
        () => 'ok',
        (err: Error) => err.message,
      ),
    )
    setTimeout(() => process.kill(victim, 'SIGKILL'), 30)
    const outcomes = await Promise.all(calls)
    expect(outcomes).toHaveLength(400)
    // Every saga ended once; a failure says its host may have run it.
    for (const events of ends.values()) expect(events).toHaveLength(1)
    const failed = [...ends.values()].flat().filter((e) => e.event === 'saga_failed')
    for (const e of failed)
      expect((e as { reason: string }).reason).toMatch(
        /^host disconnected before ack|^host lost while executing/,
      )
    // A completed saga was run by a host, which recorded it first.
    const recorded = new Set(
      readFileSync(record, 'utf8')
        .trim()
        .split('\n')
        .map((line) => Number(line.split(' ')[1])),
    )
    const completed = [...ends.values()].flat().filter((e) => e.event === 'saga_completed')
    for (const e of completed) expect(recorded.has(e.saga_id)).toBe(true)
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(completed.length)
    expect(l.diagnostics().sagas.lateReports).toBe(0)
    // The kill landed under load: calls were lost with the victim, and its slot was refilled.
    expect(failed.length).toBeGreaterThan(0)
    await waitFor(() => l.diagnostics().hosts.every((h) => h.state === 'connected'), 'slot 1 refilled')
    expect(l.diagnostics().hosts[1]!.pid).not.toBe(victim)
  })

  it('sends every unkeyed call to the other host while one is busy with a 3 s synchronous handler, which completes on its host', async () => {
    const l = await startPool({ unresponsiveMs: 1000 })
    const long = l.call('spin', { ms: 3000 }, { timeoutMs: 20_000 })
    await waitFor(() => l.diagnostics().hosts.some((h) => h.state === 'busy'), 'a busy host row', 5000)
    const rows = l.diagnostics().hosts
    const busy = rows.find((h) => h.state === 'busy')!
    const other = rows.find((h) => h !== busy)!
    expect(other.state).toBe('connected')
    // Ten at once: by fewest outstanding alone, some would go to the busy host (one call each).
    const meanwhile = await Promise.all(Array.from({ length: 10 }, () => l.call('sleep', { ms: 20 })))
    expect(meanwhile.map((r) => r.pid)).toEqual(meanwhile.map(() => other.pid))
    expect(l.diagnostics().hosts.find((h) => h.slot === busy.slot)!.state).toBe('busy')
    expect((await long).pid).toBe(busy.pid)
    // Busy is not hung: nobody was replaced.
    expect(l.diagnostics().hosts.map((h) => h.pid)).toEqual(rows.map((h) => h.pid))
    expect(l.diagnostics().restarts).toBe(0)
  })

  it('counts each slot’s replacements in its own row', async () => {
    const l = await startPool()
    const [slot0, slot1] = l.diagnostics().hosts.map((h) => h.pid!)
    process.kill(slot1!, 'SIGKILL')
    await waitFor(() => {
      const row = l.diagnostics().hosts[1]!
      return row.state === 'connected' && row.pid !== slot1
    }, 'slot 1 refilled')
    process.kill(l.diagnostics().hosts[1]!.pid!, 'SIGKILL')
    await waitFor(() => l.diagnostics().hosts[1]!.restarts === 2, 'slot 1 refilled again')
    await waitFor(() => l.diagnostics().hosts.every((h) => h.state === 'connected'), 'both connected')
    const { hosts, restarts } = l.diagnostics()
    expect(hosts.map((h) => h.restarts)).toEqual([0, 2])
    expect(hosts[0]!.pid).toBe(slot0)
    expect(restarts).toBe(2)
  })
})
