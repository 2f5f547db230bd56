import { build } from 'esbuild'
import { resolve } from 'node:path'
import type { Logger } from '../../src/main/base/logger'

/**
 * Bundles test/fixtures/busy/host.ts to `out/test-fixtures/<name>.mjs` and returns its absolute
 * path. Inside the repository, so the bundle's external packages (zod) resolve from node_modules;
 * one name per test file, so files running in parallel never write the same bundle.
 */
export async function buildBusyHost(name: string): Promise<string> {
  const outfile = resolve(`out/test-fixtures/${name}.mjs`)
  await build({
    entryPoints: ['test/fixtures/busy/host.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'silent',
  })
  return outfile
}

/** A Logger that keeps every info, warn and error line in `lines`. */
export function linesLogger(lines: string[]): Logger {
  const push = (...args: unknown[]): void => {
    lines.push(args.join(' '))
  }
  return { debug: () => undefined, info: push, warn: push, error: push }
}
