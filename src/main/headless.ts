/**
 * The headless launcher: the whole launcher under plain Node, with the diagnostics panel served
 * to a browser. stdout carries exactly one line, `Diagnostics: http://127.0.0.1:PORT/?token=…`,
 * once the host has registered; everything else goes to the log (stderr and a file).
 *
 * The demo app's Node entry: the launcher and the panel come from the public `hostpipe/node`
 * entry, as in any embedding app; argv parsing, logging and signals are the app's own.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineCommands } from '../lib/index'
import { createLauncher, startDiagnosticsServer, type RunningDiagnosticsServer } from '../lib/node'
import { setUnexpectedErrorHandler } from './base/unexpected-error'
import { launcherOptionsOf, parseLauncherArgs } from './launcher/launcher-cli'
import { createLogger } from './launcher/log'

const USAGE =
  'usage: node out/main/headless.js [--port N] [--transport pipe|port] [--host-delay-ms N] ' +
  '[--saga-timeout-ms N] [--max-restarts N] [--standby N] [--hosts N] [--unresponsive-ms N]'

async function main(): Promise<void> {
  const parsed = parseLauncherArgs(process.argv.slice(2), { strict: true, acceptsPort: true })
  if (!parsed.ok) {
    process.stderr.write(`hostpipe: ${parsed.error}\n${USAGE}\n`)
    process.exit(2)
  }
  const options = parsed.options
  const here = dirname(fileURLToPath(import.meta.url))
  const log = createLogger()
  // A listener that throws is logged and the launcher goes on (the default would use console).
  setUnexpectedErrorHandler((err) => log.error('[headless] unexpected error:', err))
  // The demo's host serves only the built-in AgentMux commands (the panel's burst sends them).
  const launcher = createLauncher({
    hostEntry: join(here, 'host.js'),
    commands: defineCommands({}),
    ...launcherOptionsOf(options),
    log,
  })
  let server: RunningDiagnosticsServer | undefined
  let isStopping = false
  const stop = async (why: string): Promise<void> => {
    if (isStopping) return
    isStopping = true
    log.info(`[headless] ${why}: shutting down`)
    await server?.close().catch(() => undefined)
    await launcher.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))

  try {
    await launcher.start()
    // The feed exists once the launcher has started; the URL is printed once the host registered.
    server = await startDiagnosticsServer(launcher, {
      port: options.port ?? 0,
      staticDir: join(here, '../renderer'),
      // The demo's host serves the AgentMux commands, so the panel's burst has something to run.
      actions: ['kill-host', 'stop-host', 'start-host', 'burst'],
      log,
    })
    process.stdout.write(`Diagnostics: ${server.url}\n`)
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    log.error(`[headless] failed to start: ${why}`)
    process.stderr.write(`hostpipe: failed to start: ${why}\n`)
    await launcher.stop()
    process.exit(1)
  }
}

void main()
