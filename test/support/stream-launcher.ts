// The launcher of the streams tests: createLauncher (from the source) with the streams fixture's
// host (test/fixtures/streams/host.mjs, on the built `hostpipe/host`), stopped after each test.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll } from 'vitest'
import { createLauncher, type AppLauncherOptions, type HostpipeLauncher } from '../../src/lib/node'
import { streamCommands, streamEvents } from './stream-definitions'

export type StreamLauncher = HostpipeLauncher<typeof streamCommands, typeof streamEvents>
export type StreamLauncherOptions = Partial<AppLauncherOptions<typeof streamCommands, typeof streamEvents>>

const hostEntry = fileURLToPath(new URL('../fixtures/streams/host.mjs', import.meta.url))

/**
 * Registers the file's hooks (the built host must exist; the launcher stops after each test) and
 * returns `start(opts)`: a started launcher with `defaults` and `opts` over one host, no standby,
 * liveness off.
 */
export function streamLauncherFixture(
  defaults: StreamLauncherOptions = {},
): (opts?: StreamLauncherOptions) => Promise<StreamLauncher> {
  let launcher: StreamLauncher | undefined
  beforeAll(() => {
    if (!existsSync(fileURLToPath(new URL('../../dist/host.js', import.meta.url))))
      throw new Error('dist/host.js is missing: build the library first with `npm run build:lib`')
  })
  afterEach(async () => {
    await launcher?.stop()
    launcher = undefined
  })
  return async (opts = {}) => {
    launcher = createLauncher({
      hostEntry,
      commands: streamCommands,
      events: streamEvents,
      standby: 0,
      unresponsiveMs: 0,
      ...defaults,
      ...opts,
    })
    await launcher.start()
    return launcher
  }
}
