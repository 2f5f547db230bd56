import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'

export interface HeadlessLauncher {
  /** The panel's URL with the token, exactly as printed on stdout. */
  url: string
  origin: string
  token: string
  process: ChildProcess
  /** Lines the launcher wrote to stdout (the contract: only the Diagnostics line). */
  stdout: string[]
  /** What it wrote to stderr (its log) so far. */
  stderr(): string
  stop(): Promise<void>
}

const ENTRY = 'out/main/headless.js'
const DIAGNOSTICS_LINE = /^Diagnostics: (http:\/\/127\.0\.0\.1:(\d+))\/\?token=(\S+)$/

/**
 * Starts `node out/main/headless.js --port 0 …` and waits for its one `Diagnostics:` line. `env`
 * is added to the launcher's environment (which its hosts inherit).
 */
export async function startHeadless(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<HeadlessLauncher> {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first`)
  const child = spawn(process.execPath, [ENTRY, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOSTPIPE_LOG_LEVEL: 'warn', ...env },
  })
  const stdout: string[] = []
  const stderr: string[] = []
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d))
  const lines = createInterface({ input: child.stdout! })
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no Diagnostics line within 20 s; stderr:\n${stderr.join('')}`)),
      20_000,
    )
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`launcher exited with ${code}; stderr:\n${stderr.join('')}`))
    })
    lines.on('line', (line) => {
      stdout.push(line)
      const m = DIAGNOSTICS_LINE.exec(line)
      if (m) {
        clearTimeout(timer)
        resolve(m)
      }
    })
  })
  return {
    url: `${match[1]}/?token=${match[3]}`,
    origin: match[1]!,
    token: match[3]!,
    process: child,
    stdout,
    stderr: () => stderr.join(''),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}
