// Runs a whole embedding program (a Node script under test/fixtures) as a child process and
// reports how it ended, so a test can check that it exits by itself and what it left behind.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fixturePath } from './launcher-fixture'

export interface ProgramRun {
  /** Each stdout line, parsed as JSON (the fixtures print one fact per line). */
  facts: Array<Record<string, unknown>>
  stdout: string
  stderr: string
  code: number | null
  signal: NodeJS.Signals | null
}

/** Starts a fixture program; `ended` settles when it exits, and rejects if it does not within `timeoutMs`. */
export function startProgram(
  relative: string,
  args: string[] = [],
  timeoutMs = 20_000,
): { child: ChildProcess; ended: Promise<ProgramRun> } {
  const child = spawn(process.execPath, [fixturePath(relative), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const ended = new Promise<ProgramRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(`${relative} ${args.join(' ')} did not exit by itself within ${timeoutMs} ms\n${stderr}`),
      )
    }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const facts = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
      resolve({ facts, stdout, stderr, code, signal })
    })
  })
  return { child, ended }
}

/** Runs a fixture program to its end. */
export function runProgram(relative: string, args: string[] = [], timeoutMs?: number): Promise<ProgramRun> {
  return startProgram(relative, args, timeoutMs).ended
}

/**
 * Processes (hosts) still given `socketPath` as their launcher's socket (env HOSTPIPE_PIPE), found
 * through /proc; empty where /proc cannot be read.
 */
export function processesUsingSocket(socketPath: string): number[] {
  return processesWithEnv('HOSTPIPE_PIPE', socketPath)
}

/** Live processes whose environment has `name=value`, found through /proc; empty without /proc. */
export function processesWithEnv(name: string, value: string): number[] {
  if (!existsSync('/proc/self/environ')) return []
  const needle = `\0${name}=${value}\0`
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (`\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`.includes(needle)) pids.push(Number(entry))
    } catch {
      // Gone meanwhile, or not ours.
    }
  }
  return pids
}

/** Whether a process with this pid still runs. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

/** The socket's private directory is gone and no process still points at the socket. */
export function leftoversOf(socketPath: string): { isDirLeft: boolean; hosts: number[] } {
  return { isDirLeft: existsSync(dirname(socketPath)), hosts: processesUsingSocket(socketPath) }
}
