// The launcher's lifecycle in every order an app may call it, each as a whole Node program
// (test/fixtures/lifecycle/scenario.mjs, on the built `hostpipe/node`) that must exit by itself
// without calling process.exit: no host, socket, timer or handle may outlive it.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { isAlive, leftoversOf, runProgram, type ProgramRun } from '../support/embedding-program'

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../../dist/node.js', import.meta.url))))
    throw new Error('dist/node.js is missing: build the library first with `npm run build:lib`')
})

interface Parts {
  socketPath: string
  pids: number[]
}

async function scenario(name: string): Promise<ProgramRun> {
  const run = await runProgram('lifecycle/scenario.mjs', [name])
  expect(run.code, run.stderr).toBe(0)
  return run
}

function expectNothingLeft(parts: Parts): void {
  expect(leftoversOf(parts.socketPath)).toEqual({ isDirLeft: false, hosts: [] })
  for (const pid of parts.pids) expect(isAlive(pid), `host pid ${pid}`).toBe(false)
}

const stoppedStart = {
  ok: false,
  name: 'LauncherStoppedError',
  message: 'launcher stopped before its host registered',
  stopped: true,
}

describe('launcher lifecycle', () => {
  it('leaves nothing behind after start, a call and stop', async () => {
    const { facts } = await scenario('start')
    expect(facts[0]!.sum).toBe(5)
    expectNothingLeft(facts[0]!.parts as Parts)
  })

  it('gives a second start() while starting the same promise, and one that resolves at once after', async () => {
    const { facts } = await scenario('start-start')
    expect(facts[0]).toMatchObject({ isSamePromise: true, laterResolves: { ok: true } })
    expectNothingLeft(facts[0]!.parts as Parts)
  })

  it('leaves nothing behind after start then stop', async () => {
    const { facts } = await scenario('start-stop')
    expectNothingLeft(facts[0]!.parts as Parts)
  })

  it('rejects start() with LauncherStoppedError when stop() comes while its socket opens', async () => {
    const { facts } = await scenario('stop-during-listen')
    expect(facts[0]!.start).toEqual(stoppedStart)
  })

  it('rejects start() with LauncherStoppedError when stop() comes before the host registered, killing that host', async () => {
    const { facts } = await scenario('stop-during-spawn')
    expect(facts[0]!.start).toEqual(stoppedStart)
    const parts = facts[0]!.parts as Parts
    expect(parts.pids.length).toBe(1)
    expectNothingLeft(parts)
  })

  it('releases everything a start that gave up took, so the program exits without stop()', async () => {
    const { facts } = await scenario('failed-start')
    expect(facts[0]!.start).toMatchObject({ ok: false, stopped: false })
  })

  it('gives stop() twice the same promise and leaves nothing behind', async () => {
    const { facts } = await scenario('stop-stop')
    expectNothingLeft(facts[0]!.parts as Parts)
    expect(facts[1]).toEqual({ isSamePromise: true })
  })

  it('starts a fresh launch after stop(): a new socket and host serve calls, the old ones are gone', async () => {
    const { facts } = await scenario('start-after-stop')
    const before = facts[0]!.parts as Parts
    const after = facts[1]!.parts as Parts
    expect(facts[1]!.sum).toBe(9)
    expect(after.socketPath).not.toBe(before.socketPath)
    expectNothingLeft(before)
    expectNothingLeft(after)
  })

  it('rejects a call in flight at stop() with a reason that keeps "host disconnected before ack" first', async () => {
    const { facts } = await scenario('pending-at-stop')
    expectNothingLeft(facts[0]!.parts as Parts)
    expect(facts[1]!.call).toMatchObject({ ok: false, name: 'SagaFailedError' })
    expect((facts[1]!.call as { reason: string }).reason).toMatch(/^host disconnected before ack/)
  })
})
