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

/** Starts one real host process on the pipe transport, as the supervisor would. */
export function spawnBenchHost(socketPath: string, token: string): HostProcess {
  return new NodeHostSpawner({ hostScript: hostScriptPath() }).spawn({
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
