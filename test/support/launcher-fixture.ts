// A launcher (createLauncher, from the source) on a test host: a fixture entry file that runs on
// the built `hostpipe/host` (dist/), as an embedding app's would. Stopped after each test.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll } from 'vitest'
import { createLauncher, type AppLauncherOptions, type HostpipeLauncher } from '../../src/lib/node'
import type { CommandDefinitions, EventDefinitions } from '../../src/lib/index'

/** The path of a fixture under test/fixtures. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url))
}

/** `start(opts)`: a started launcher with the fixture's options and `opts` over them. */
export type StartLauncher<D extends CommandDefinitions, E extends EventDefinitions> = (
  opts?: Partial<AppLauncherOptions<D, E>>,
) => Promise<HostpipeLauncher<D, E>>

/**
 * Registers the calling file's hooks (the built host must exist; each launcher started in a test
 * is stopped after it) and returns `start`. `options` are the file's: its host entry, its
 * definitions and whatever it sets for every test; nothing else is defaulted here.
 */
export function launcherFixture<
  const D extends CommandDefinitions,
  const E extends EventDefinitions = Record<never, never>,
>(options: AppLauncherOptions<D, E>): StartLauncher<D, E> {
  const started: HostpipeLauncher<D, E>[] = []
  beforeAll(() => {
    if (!existsSync(fileURLToPath(new URL('../../dist/host.js', import.meta.url))))
      throw new Error('dist/host.js is missing: build the library first with `npm run build:lib`')
  })
  afterEach(async () => {
    await Promise.all(started.splice(0).map((l) => l.stop()))
  })
  return async (opts = {}) => {
    const launcher = createLauncher<D, E>({ ...options, ...opts })
    started.push(launcher)
    await launcher.start()
    return launcher
  }
}
