import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { Emitter } from '../../src/main/base/emitter'
import { onUnexpectedError, setUnexpectedErrorHandler } from '../../src/main/base/unexpected-error'
import { HostPipe } from '../../src/main/host-pipe'
import { takeUnexpectedErrors } from '../support/unexpected-errors'

const run = promisify(execFile)

describe('onUnexpectedError', () => {
  it('gets the error of a throwing listener; fire does not throw and the other listeners run', () => {
    const emitter = new Emitter<number>()
    const bug = new Error('listener bug')
    const heard: number[] = []
    emitter.event(() => {
      throw bug
    })
    emitter.event((n) => heard.push(n))
    expect(() => emitter.fire(7)).not.toThrow()
    expect(heard).toEqual([7])
    expect(takeUnexpectedErrors()).toEqual([bug])
  })

  it('gets it from a HostPipe built with only the required options', async () => {
    const pipe = new HostPipe({ emit: () => {}, nextVersion: () => 1 })
    const bug = new Error('change listener bug')
    pipe.on('change', () => {
      throw bug
    })
    await pipe.sendCommand({ cmd: 'spawn_pool_window', saga_id: 1 })
    expect(takeUnexpectedErrors()).toEqual([bug])
  })

  it('never throws, even when the handler does, and the handler can be put back', () => {
    const seen: unknown[] = []
    const previous = setUnexpectedErrorHandler(() => {
      seen.push('called')
      throw new Error('handler bug')
    })
    const originalConsoleError = console.error
    const consoleLines: unknown[][] = []
    console.error = (...args: unknown[]) => consoleLines.push(args)
    try {
      expect(() => onUnexpectedError(new Error('x'))).not.toThrow()
    } finally {
      console.error = originalConsoleError
      setUnexpectedErrorHandler(previous)
    }
    expect(seen).toEqual(['called'])
    expect(String(consoleLines[0]?.[1])).toContain('handler bug')
    onUnexpectedError('recorded again')
    expect(takeUnexpectedErrors()).toEqual(['recorded again'])
  })
})

type VitestReport = {
  testResults: Array<{
    assertionResults: Array<{ title: string; status: string; failureMessages: string[] }>
  }>
}

/** Runs the fixture file through a real vitest (a child process) and returns its JSON report. */
async function runFixture(
  setup: 'on' | 'off',
): Promise<VitestReport['testResults'][number]['assertionResults']> {
  const dir = await mkdtemp(join(tmpdir(), 'hostpipe-fixture-'))
  const out = join(dir, 'report.json')
  // The inner run must not think it is a worker of this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')))
  try {
    await run(
      process.execPath,
      [
        'node_modules/vitest/vitest.mjs',
        'run',
        '--config',
        'test/fixtures/unexpected-error/vitest.config.ts',
        '--reporter=json',
        `--outputFile=${out}`,
      ],
      { env: { ...env, HOSTPIPE_FIXTURE_SETUP: setup }, timeout: 55_000 },
    ).catch((err: { code?: number }) => {
      // A failing test makes vitest exit 1: that is expected. Anything else is not.
      if (err.code !== 1) throw err
    })
    const report = JSON.parse(await readFile(out, 'utf8')) as VitestReport
    return report.testResults.flatMap((f) => f.assertionResults)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe('the test setup', () => {
  it('fails a real vitest test whose HostPipe change listener throws', { timeout: 120_000 }, async () => {
    const [withSetup, withoutSetup] = [await runFixture('on'), await runFixture('off')]
    const failing = 'fails when a change listener on a default HostPipe throws'
    const passing = 'passes when no listener throws'
    expect(withSetup.map((r) => [r.title, r.status])).toEqual([
      [failing, 'failed'],
      [passing, 'passed'],
    ])
    const message = withSetup[0]!.failureMessages.join('\n')
    expect(message).toContain('1 unexpected error(s) were reported during this test')
    expect(message).toContain('expected 1 to be 2')
    // The control: without the setup file the same assertion is swallowed and the test passes.
    expect(withoutSetup.map((r) => [r.title, r.status])).toEqual([
      [failing, 'passed'],
      [passing, 'passed'],
    ])
  })
})
