// The embedding API (docs/embedding.md) end to end: createLauncher (from the source) with a real
// host process whose entry file uses the built `hostpipe/host` (dist/), as an embedding app's would.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { HostPipeError, SagaFailedError, type Event } from '../../src/lib/index'
import { createLauncher, type HostpipeLauncher } from '../../src/lib/node'
import { embedCommands } from '../support/embed-commands'
import { waitFor } from '../support/ipc-wait'

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/embed/${name}`, import.meta.url))

const commands = embedCommands

let launcher: HostpipeLauncher<typeof commands> | undefined
const events: Event[] = []

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../../dist/host.js', import.meta.url))))
    throw new Error('dist/host.js is missing: build the library first with `npm run build`')
})

afterEach(async () => {
  await launcher?.stop()
  launcher = undefined
  events.length = 0
})

async function start(transport: 'pipe' | 'port' = 'pipe'): Promise<HostpipeLauncher<typeof commands>> {
  launcher = createLauncher({ hostEntry: fixture('host.mjs'), commands, transport, unresponsiveMs: 0 })
  launcher.onEvent((e) => events.push(e))
  await launcher.start()
  return launcher
}

function terminalOf(sagaId: number): Event | undefined {
  return events.find(
    (e) => (e.event === 'saga_failed' || e.event === 'saga_completed') && e.saga_id === sagaId,
  )
}

describe.each(['pipe', 'port'] as const)('embedding API over the %s transport', (transport) => {
  it('calls an app-defined command and resolves with its typed output', async () => {
    const l = await start(transport)
    const { sum } = await l.call('add', { a: 2, b: 3 })
    expect(sum).toBe(5)
    expect(events.some((e) => e.event === 'saga_started' && e.name === 'add')).toBe(true)
  })
})

describe('embedding API', () => {
  it('rejects with SagaFailedError carrying the message of the error the handler threw', async () => {
    const l = await start()
    const err = await l.call('fail', { message: 'disk full' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SagaFailedError)
    expect((err as SagaFailedError).reason).toBe('disk full')
    expect(terminalOf((err as SagaFailedError).sagaId)).toMatchObject({
      event: 'saga_failed',
      reason: 'disk full',
    })
  })

  it('rejects a name never defined and a bad input with INVALID_COMMAND naming it, sending nothing', async () => {
    const l = await start()
    const unknown = await l.call('nope' as 'add', { a: 1, b: 2 }).catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(HostPipeError)
    expect(unknown).toMatchObject({ code: 'INVALID_COMMAND' })
    expect((unknown as Error).message).toContain('`nope`')
    const bad = await l.call('add', { a: 1, b: 'two' as unknown as number }).catch((e: unknown) => e)
    expect(bad).toMatchObject({ code: 'INVALID_COMMAND' })
    expect((bad as Error).message).toContain('`b`')
    expect(events.filter((e) => e.event === 'saga_started')).toHaveLength(0)
  })

  it('refuses a file: URL for hostEntry at createLauncher, saying to pass fileURLToPath(url)', () => {
    const url = new URL('../fixtures/embed/host.mjs', import.meta.url)
    expect(() => createLauncher({ hostEntry: url.href, commands })).toThrow(/fileURLToPath\(url\)/)
  })

  it('refuses a call before start() and after stop() with an error saying which to call', async () => {
    launcher = createLauncher({ hostEntry: fixture('host.mjs'), commands })
    const before = await launcher.call('add', { a: 1, b: 2 }).catch((e: unknown) => e)
    expect((before as Error).message).toBe('launcher not started: cannot call `add` (call start() first)')
    await launcher.start()
    await launcher.stop()
    const after = await launcher.call('add', { a: 1, b: 2 }).catch((e: unknown) => e)
    expect((after as Error).message).toBe('launcher stopped: cannot call `add` (start() launches it again)')
  })

  it('fails the saga when the handler returns an output its schema refuses', async () => {
    const l = await start()
    const err = await l.call('badOutput', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SagaFailedError)
    expect((err as SagaFailedError).reason).toContain('`n`')
  })

  it('rejects at once with AbortError when the signal aborts; the saga then fails once the handler gave up', async () => {
    const l = await start()
    const controller = new AbortController()
    const call = l.call('wait', { ms: 20_000 }, { signal: controller.signal, timeoutMs: 30_000 })
    await waitFor(() => events.some((e) => e.event === 'saga_started'), 'the saga to start')
    const sagaId = (events.find((e) => e.event === 'saga_started') as { saga_id: number }).saga_id
    // Give the command time to reach the host and start.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const abortedAt = Date.now()
    controller.abort()
    const err = await call.catch((e: unknown) => e)
    expect(Date.now() - abortedAt).toBeLessThan(50)
    expect(err).toBeInstanceOf(DOMException)
    expect((err as DOMException).name).toBe('AbortError')
    await waitFor(() => terminalOf(sagaId) !== undefined, 'the saga to end')
    expect(terminalOf(sagaId)).toMatchObject({ event: 'saga_failed' })
  })

  it('rejects at once with TimeoutError when timeoutMs passes; the host stops the handler at the deadline', async () => {
    const l = await start()
    const startedAt = Date.now()
    const err = await l.call('wait', { ms: 20_000 }, { timeoutMs: 300 }).catch((e: unknown) => e)
    const took = Date.now() - startedAt
    expect((err as DOMException).name).toBe('TimeoutError')
    expect(took).toBeGreaterThanOrEqual(290)
    expect(took).toBeLessThan(2_000)
    await waitFor(() => events.some((e) => e.event === 'saga_failed'), 'the saga to fail')
    expect(events.find((e) => e.event === 'saga_failed')).toMatchObject({ reason: 'deadline exceeded' })
  })

  it('keeps sagas with different timeouts apart: a short one times out while a long one completes', async () => {
    const l = await start()
    const long = l.call('wait', { ms: 400 }, { timeoutMs: 10_000 })
    const short = l.call('wait', { ms: 5_000 }, { timeoutMs: 200 }).catch((e: unknown) => e)
    expect(((await short) as DOMException).name).toBe('TimeoutError')
    await expect(long).resolves.toEqual({ waited: 400 })
  })

  it('survives a host SIGKILL: the next call is served by the restarted host', async () => {
    const l = await start()
    const pid = l.diagnostics().hostPid!
    process.kill(pid, 'SIGKILL')
    await waitFor(() => {
      const s = l.diagnostics()
      return s.connected && s.hostPid !== pid
    }, 'a new host')
    await expect(l.call('add', { a: 40, b: 2 })).resolves.toEqual({ sum: 42 })
  })

  it('publishes the diagnostics feed to onDiagnostics listeners', async () => {
    const l = await start()
    const seen: number[] = []
    const off = l.onDiagnostics((s) => seen.push(s.sagas.completed))
    await l.call('add', { a: 1, b: 1 })
    await waitFor(() => seen.includes(1), 'a snapshot with the completed saga')
    off()
    expect(l.apiToken.length).toBeGreaterThan(20)
  })

  it('delivers diagnostics to a listener added before start(), and to the one left after another leaves', async () => {
    launcher = createLauncher({ hostEntry: fixture('host.mjs'), commands, unresponsiveMs: 0 })
    const early: number[] = []
    const late: number[] = []
    const offEarly = launcher.onDiagnostics((s) => early.push(s.sagas.completed))
    await launcher.start()
    await launcher.call('add', { a: 1, b: 1 })
    await waitFor(() => early.includes(1), 'the early listener to see the first call')
    const offLate = launcher.onDiagnostics((s) => late.push(s.sagas.completed))
    offEarly()
    const seenEarly = early.length
    await launcher.call('add', { a: 2, b: 2 })
    await waitFor(() => late.includes(2), 'the remaining listener to see the second call')
    expect(early).toHaveLength(seenEarly)
    offLate()
    // With no listener left the feed is not followed; a new listener follows it again.
    const again: number[] = []
    launcher.onDiagnostics((s) => again.push(s.sagas.completed))
    await launcher.call('add', { a: 3, b: 3 })
    await waitFor(() => again.includes(3), 'a listener added after the last one left')
  })

  it('lets a Node program whose last statement is `await launcher.stop()` exit by itself', async () => {
    const child = spawn(process.execPath, [fixture('stop-exits.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the program did not exit within 15 s')), 15_000)
      child.on('exit', (c) => {
        clearTimeout(timer)
        resolve(c)
      })
    })
    expect(out).toBe('sum 5\n')
    expect(code).toBe(0)
  })
})
