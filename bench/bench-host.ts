import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { NodeHostSpawner } from '../src/main/headless/node-host-spawner'
import type { HostProcess } from '../src/main/launcher/host-spawner'

/** The built host, beside the bundled bench (out/bench/main.mjs → out/main/host.js). */
export function hostScriptPath(): string {
  const path = fileURLToPath(new URL('../main/host.js', import.meta.url))
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`)
  return path
}

/**
 * One of the bench's own child scripts (bench/*-child.ts, bench/call-host.ts), bundled by
 * bench/run.mjs beside the bench (out/bench/<name>.mjs).
 */
export function benchChildScriptPath(
  name:
    | 'bare-child'
    | 'birpc-child'
    | 'jsonrpc-child'
    | 'comlink-child'
    | 'raw-call-child'
    | 'call-host'
    | 'stream-host'
    | 'bytes-host'
    | 'bytes-echo-child'
    | 'bytes-cut-through-child',
): string {
  const path = fileURLToPath(new URL(`./${name}.mjs`, import.meta.url))
  if (!existsSync(path)) throw new Error(`${path} is missing: run the bench with \`npm run bench\``)
  return path
}

/**
 * Starts one real host process on the pipe transport, as the supervisor would; with `script`, that
 * script instead of the host, started the same way (the bare child and the peers' servers).
 */
export function spawnBenchHost(socketPath: string, token: string, script = hostScriptPath()): HostProcess {
  return new NodeHostSpawner({ hostScript: script }).spawn({
    transport: 'pipe',
    token,
    socketPath,
    args: [],
  })
}

/** Resolves once the process has exited (SIGKILL after `graceMs` if it does not go by itself). */
export function whenExited(host: HostProcess, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => host.kill('SIGKILL'), graceMs)
    host.onExit(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}
