// `npm start` as run (`node scripts/start.mjs`), with real processes, in a scratch directory that
// holds the built `out/` (a link), old sources and a download failure remembered a few seconds
// ago; no Electron binary is found (ELECTRON_OVERRIDE_DIST_PATH points at nothing), so it goes
// headless as on a machine that cannot download one.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { headlessFallbackLine, NO_ELECTRON_MARK, rememberedReason } from '../../scripts/start-plan.mjs'
import { waitFor } from '../support/ipc-wait'
import { processesWithEnv } from '../support/embedding-program'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const START = join(REPO, 'scripts/start.mjs')
const BUILT = join(REPO, 'out/main/index.js')
const DIAGNOSTICS_LINE = /^Diagnostics: http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/

beforeAll(() => {
  if (!existsSync(join(REPO, 'out/main/headless.js')))
    throw new Error('out/main/headless.js is missing: build first with `npx electron-vite build`')
})

let dir: string
let runId: string
const started: ChildProcess[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostpipe-npm-start-'))
  runId = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`
  symlinkSync(join(REPO, 'out'), join(dir, 'out'))
  // Sources an hour older than the build: the build is current.
  const hourBefore = (statSync(BUILT).mtimeMs - 3_600_000) / 1000
  mkdirSync(join(dir, 'src'))
  for (const file of ['src/app.ts', 'src', 'package.json']) {
    if (file !== 'src') writeFileSync(join(dir, file), '{}\n')
    utimesSync(join(dir, file), hourBefore, hourBefore)
  }
  mkdirSync(join(dir, NO_ELECTRON_MARK, '..'), { recursive: true })
  writeFileSync(join(dir, NO_ELECTRON_MARK), 'TypeError: fetch failed\n')
})

afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  for (const pid of processesOfRun()) process.kill(pid, 'SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** The environment of a run: tagged so every process it starts (app, launcher, hosts) can be found. */
function runEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOSTPIPE_LOG_LEVEL: 'warn',
    HOSTPIPE_RETRY_ELECTRON: '',
    ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'no-electron-here'),
    HOSTPIPE_NPM_START_RUN: runId,
  }
}

/** Live processes started by this run (they inherit its tag), found through /proc. */
function processesOfRun(): number[] {
  return processesWithEnv('HOSTPIPE_NPM_START_RUN', runId)
}

interface Run {
  child: ChildProcess
  stdout: string[]
  stderr: () => string
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Runs `command` in the scratch directory, collecting stdout lines and stderr. */
function run(command: string, args: string[]): Run {
  const child = spawn(command, args, { cwd: dir, env: runEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  started.push(child)
  const stdout: string[] = []
  let stderr = ''
  createInterface({ input: child.stdout! }).on('line', (line) => stdout.push(line))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const ended = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }))
  return { child, stdout, stderr: () => stderr, ended }
}

async function diagnosticsLine(app: Run): Promise<string> {
  await Promise.race([
    waitFor(() => app.stdout.some((l) => DIAGNOSTICS_LINE.test(l)), 'the Diagnostics line', 20_000),
    app.ended.then(({ code }) => {
      throw new Error(`exited with ${code} before the Diagnostics line; stderr:\n${app.stderr()}`)
    }),
  ])
  return app.stdout.find((l) => DIAGNOSTICS_LINE.test(l))!
}

describe('npm start without an Electron binary', () => {
  it('says so in one line, runs headless without rebuilding, and on SIGTERM exits 0 leaving no process', async () => {
    const app = run(process.execPath, [START, '--port', '0'])
    await diagnosticsLine(app)
    expect(app.stdout).toHaveLength(1)
    const fallback = headlessFallbackLine(rememberedReason('TypeError: fetch failed'))
    expect(app.stderr().split('\n')[0]).toBe(fallback)
    expect(app.stderr().split(fallback)).toHaveLength(2)
    // npm start, the headless launcher and at least one host.
    await waitFor(() => processesOfRun().length >= 3, 'the launcher and its host')
    expect(processesOfRun()).toContain(app.child.pid)

    app.child.kill('SIGTERM')
    expect(await app.ended).toEqual({ code: 0, signal: null })
    await waitFor(() => processesOfRun().length === 0, 'every process of the run to exit')
    expect(app.stderr()).not.toContain('build failed')
  })

  it("exits with the app's own exit code: 2 for an option the launcher refuses", async () => {
    const app = run(process.execPath, [START, '--no-such-option'])
    expect(await app.ended).toEqual({ code: 2, signal: null })
    expect(app.stderr()).toContain('usage: node out/main/headless.js')
    expect(app.stdout).toEqual([])
  })

  it('builds first when a source file is newer than the build (here the build cannot run, and it says so)', async () => {
    const later = statSync(BUILT).mtimeMs / 1000 + 60
    utimesSync(join(dir, 'src/app.ts'), later, later)
    const app = run(process.execPath, [START])
    expect(await app.ended).toEqual({ code: 1, signal: null })
    expect(app.stderr()).toContain('electron-vite')
    expect(app.stderr().trimEnd().split('\n').at(-1)).toBe('hostpipe: build failed')
    expect(app.stdout).toEqual([])
  })

  it('stops the app and its hosts when its parent (npm) goes without passing a signal on', async () => {
    // Stands in for npm: starts npm start and waits; it is then killed alone.
    const npm = run(process.execPath, [
      '-e',
      `require('node:child_process').spawn(process.execPath, ${JSON.stringify([START, '--port', '0'])}, { stdio: 'inherit' }); setInterval(() => {}, 60_000)`,
    ])
    await diagnosticsLine(npm)
    await waitFor(() => processesOfRun().length >= 4, 'npm, npm start, the launcher and its host')

    npm.child.kill('SIGKILL')
    await npm.ended
    await waitFor(() => processesOfRun().length === 0, 'every process of the run to exit', 10_000)
  })
})
