/**
 * The headless launcher: the whole launcher under plain Node, with the diagnostics panel served
 * to a browser. stdout carries exactly one line, `Diagnostics: http://127.0.0.1:PORT/?token=…`,
 * once the host has registered; everything else goes to the log (stderr and a file).
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DiagnosticsServer } from './headless/diagnostics-server'
import { NodeHostSpawner } from './headless/node-host-spawner'
import { setUnexpectedErrorHandler } from './base/unexpected-error'
import { createLauncher } from './launcher/launcher'
import { hostArgsOf, parseLauncherArgs } from './launcher/launcher-cli'
import { createLogger } from './launcher/log'

const USAGE =
  'usage: node out/main/headless.js [--port N] [--transport pipe|port] [--host-delay-ms N] ' +
  '[--saga-timeout-ms N] [--max-restarts N] [--standby N] [--unresponsive-ms N]'

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
  const launcher = createLauncher({
    spawner: new NodeHostSpawner({ hostScript: join(here, 'host.js'), log }),
    transport: options.transport,
    hostArgs: hostArgsOf(options),
    sagaTimeoutMs: options.sagaTimeoutMs,
    maxRestarts: options.maxRestarts,
    standby: options.standby,
    unresponsiveMs: options.unresponsiveMs,
    log,
  })
  let server: DiagnosticsServer | undefined
  let isStopping = false
  const stop = async (why: string): Promise<void> => {
    if (isStopping) return
    isStopping = true
    log.info(`[headless] ${why}: shutting down`)
    await server?.close().catch(() => undefined)
    await launcher.dispose()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))

  try {
    await launcher.start()
    // The feed exists once the launcher has started; the URL is printed once the host registered.
    server = new DiagnosticsServer({
      source: launcher.diagnostics,
      token: launcher.token,
      port: options.port ?? 0,
      staticDir: join(here, '../renderer'),
      subscribeEvents: (fn) => launcher.subscribeEvents(fn),
      log,
    })
    const port = await server.listen()
    process.stdout.write(`Diagnostics: http://127.0.0.1:${port}/?token=${launcher.token}\n`)
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    log.error(`[headless] failed to start: ${why}`)
    process.stderr.write(`hostpipe: failed to start: ${why}\n`)
    await launcher.dispose()
    process.exit(1)
  }
}

void main()
